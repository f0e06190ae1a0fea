package loaders

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// Zip archives (the admin center can deliver its downloads as <tenant>_<from>_<to>_1_1.zip)
// are read in place: every member becomes an Input read straight from the archive, named
// archive.zip!member, and nothing is extracted to disk. Members whose names point outside
// the archive and members that would inflate beyond the limits below are refused: each
// becomes a ParseError of its own, and the other members still load.

// Limits against decompression bombs. The sizes a zip declares are binding (archive/zip
// fails a member that inflates past its declared size), so they are checked up front.
// Tests pass smaller ones to zipLimits.expand.
const (
	zipMaxTotal int64 = 64 << 30 // uncompressed bytes read from one archive
	zipMaxRatio int64 = 200      // uncompressed / compressed, per member and for the archive
	zipRatioMin int64 = 1 << 20  // members smaller than this are not held to the ratio
)

// zipLimits are the limits an archive is read with.
type zipLimits struct{ maxTotal, maxRatio, ratioMin int64 }

// expandZip lists the members of a zip archive, within the limits above.
func expandZip(path string, size int64) ([]Input, bool, error) {
	return zipLimits{maxTotal: zipMaxTotal, maxRatio: zipMaxRatio, ratioMin: zipRatioMin}.expand(path, size)
}

func (l zipLimits) expand(path string, size int64) ([]Input, bool, error) {
	if !strings.EqualFold(filepath.Ext(path), ".zip") {
		return nil, false, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are checked below
		return []Input{refusedInput(path, "not a readable zip archive: "+err.Error())}, true, nil
	}
	defer zr.Close()
	order := make([]int, len(zr.File))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return zr.File[order[a]].Name < zr.File[order[b]].Name })
	budget := min(l.maxTotal, l.maxRatio*max(size, 1))
	var total int64
	var ins []Input
	for _, i := range order {
		f := zr.File[i]
		if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") || hiddenMember(f.Name) {
			continue
		}
		mp := path + "!" + f.Name
		u, c := int64(f.UncompressedSize64), int64(f.CompressedSize64)
		switch {
		case unsafeMemberName(f.Name):
			ins = append(ins, refusedInput(mp, "zip member refused: its name points outside the archive (absolute path or ../); it was not read"))
		case f.Flags&0x1 != 0:
			ins = append(ins, refusedInput(mp, "zip member refused: it is encrypted"))
		case strings.EqualFold(filepath.Ext(f.Name), ".zip"):
			ins = append(ins, refusedInput(mp, "zip member refused: an archive inside the archive is not opened; extract the outer archive and load the inner one"))
		case u < 0 || (u > l.ratioMin && u/max(c, 1) > l.maxRatio):
			ins = append(ins, refusedInput(mp, fmt.Sprintf("zip member refused: it would inflate %d bytes to %d (more than %d times; a decompression bomb?)", c, u, l.maxRatio)))
		case total+u > budget:
			ins = append(ins, refusedInput(mp, fmt.Sprintf("zip member refused: the archive's members would inflate to more than %d bytes (%d times the archive, at most %d GiB); a decompression bomb?", budget, l.maxRatio, l.maxTotal>>30)))
		default:
			total += u
			ins = append(ins, Input{Path: mp, Size: u, Open: memberOpener(path, i, f.Name, mp)})
		}
	}
	if len(ins) == 0 {
		ins = append(ins, refusedInput(path, "the zip archive holds no files"))
	}
	return ins, true, nil
}

// refusedInput is an Input whose opening fails with the reason, so the refusal is reported
// with the other files' results.
func refusedInput(path, reason string) Input {
	return Input{Path: path, Open: func() (io.ReadCloser, error) {
		return nil, &ParseError{File: path, Reason: reason}
	}}
}

func memberOpener(archive string, index int, name, mp string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		zr, err := zip.OpenReader(archive)
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			return nil, fmt.Errorf("open archive: %w", err)
		}
		if index >= len(zr.File) || zr.File[index].Name != name {
			zr.Close()
			return nil, &ParseError{File: mp, Reason: "the archive changed after it was listed"}
		}
		rc, err := zr.File[index].Open()
		if err != nil {
			zr.Close()
			return nil, &ParseError{File: mp, Reason: "cannot read the zip member: " + err.Error()}
		}
		return &zipMember{ReadCloser: rc, zr: zr}, nil
	}
}

type zipMember struct {
	io.ReadCloser
	zr *zip.ReadCloser
}

func (m *zipMember) Close() error {
	err := m.ReadCloser.Close()
	if cerr := m.zr.Close(); err == nil {
		err = cerr
	}
	return err
}

// unsafeMemberName reports a member name that is absolute or climbs out of the archive.
func unsafeMemberName(name string) bool {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') || strings.IndexByte(n, 0) >= 0 {
		return true
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// hiddenMember reports macOS metadata and dot files, skipped as they are in folders.
func hiddenMember(name string) bool {
	for _, part := range strings.Split(strings.ReplaceAll(name, `\`, "/"), "/") {
		if part == "__MACOSX" || (strings.HasPrefix(part, ".") && part != "." && part != "..") {
			return true
		}
	}
	return false
}
