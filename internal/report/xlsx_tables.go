package report

import (
	"strings"
	"unicode/utf8"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// streamTable writes title lines and a table on a fresh sheet with the streaming writer.
// kinds says how each column is shown (sectionKinds or typeKinds).
func (b *book) streamTable(sheet, id string, head [][2]any, t *analyze.Table, kinds []colKind, empty string) (streamWriter, []colFormat, error) {
	fm := b.formats(t, kinds)
	if err := b.tablePageSetup(sheet, fm); err != nil {
		return nil, nil, err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return nil, nil, err
	}
	for i, f := range fm {
		if err := sw.SetColWidth(i+1, i+1, f.width); err != nil {
			return nil, nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, nil, err
	}
	for i, h := range head {
		if h[0] == nil {
			continue
		}
		if err := sw.SetRow(cell(1, i+1), []any{h[0]}); err != nil {
			return nil, nil, err
		}
	}
	hdr := make([]any, len(fm))
	for i, f := range fm {
		hdr[i] = excelize.Cell{StyleID: b.s.header, Value: f.header}
	}
	if err := sw.SetRow(cell(1, tableHeaderRow), hdr); err != nil {
		return nil, nil, err
	}
	vals := make([]any, len(fm))
	for ri, row := range t.Rows {
		for i, v := range row {
			vals[i] = b.value(v, fm[i])
		}
		if err := sw.SetRow(cell(1, tableHeaderRow+1+ri), vals); err != nil {
			return nil, nil, err
		}
	}
	last := tableHeaderRow + len(t.Rows)
	if len(t.Rows) == 0 {
		last++
		if err := sw.SetRow(cell(1, last), []any{excelize.Cell{StyleID: b.s.note, Value: empty}}); err != nil {
			return nil, nil, err
		}
	}
	if len(fm) > 0 {
		yes := true
		if err := sw.AddTable(&excelize.Table{Range: cell(1, tableHeaderRow) + ":" + cell(len(fm), last), Name: b.tableName(id),
			StyleName: "TableStyleMedium2", ShowRowStripes: &yes}); err != nil {
			return nil, nil, err
		}
	}
	return sw, fm, nil
}

// writeSection puts one query's result on its own sheet, under its title, question and window.
func (b *book) writeSection(s *analyze.Section) error {
	q := s.Query
	sw, _, err := b.streamTable(b.sheets[s], q.ID, b.sectionHead(s), s.Table, sectionKinds(s), "(no rows in this window)")
	if err != nil {
		return err
	}
	return sw.Flush()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// plainTable writes a header and rows at row y with the ordinary API and makes it an
// Excel table; it returns the last row used.
func (b *book) plainTable(sh string, y int, id string, t *analyze.Table, fm []colFormat, empty string) (int, error) {
	for i, f := range fm {
		if err := b.set(sh, i+1, y, f.header, b.s.header); err != nil {
			return 0, err
		}
	}
	for ri, row := range t.Rows {
		for i, v := range row {
			if err := b.set(sh, i+1, y+1+ri, b.value(v, fm[i]), 0); err != nil {
				return 0, err
			}
		}
	}
	last := y + len(t.Rows)
	if len(t.Rows) == 0 {
		last++
		if err := b.set(sh, 1, last, empty, b.s.note); err != nil {
			return 0, err
		}
	}
	yes := true
	if err := b.f.AddTable(sh, &excelize.Table{Range: cell(1, y) + ":" + cell(len(fm), last), Name: b.tableName(id),
		StyleName: "TableStyleLight9", ShowRowStripes: &yes}); err != nil {
		return 0, err
	}
	return last, nil
}
