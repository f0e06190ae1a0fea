package report

import (
	"context"
	"fmt"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// writeRaw streams the in-scope sign-ins (--raw) onto as many Raw sheets as they need.
func (b *book) writeRaw(ctx context.Context) error {
	raw := b.r.Raw
	if raw == nil {
		return nil
	}
	t := &analyze.Table{Columns: raw.Columns}
	fm := b.formats(t, typeKinds(t, signinCodes()...))
	for i, c := range raw.Columns {
		switch c.Name {
		case "user_agent", "failure_reason", "extra", "additional_details":
			fm[i].width = 50
		}
	}
	var sw streamWriter
	sheet, row := -1, 0
	vals := make([]any, len(fm))
	// wrap names the Raw sheet being written in an excelize error.
	wrap := func(err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("sheet %s: %w", b.raws[sheet], err)
	}
	next := func() error {
		if sw != nil {
			if err := b.finishRaw(sw, row, len(fm)); err != nil {
				return wrap(err)
			}
		}
		sheet++
		if err := b.pageSetup(b.raws[sheet], false); err != nil {
			return wrap(err)
		}
		var err error
		if sw, err = b.f.NewStreamWriter(b.raws[sheet]); err != nil {
			return wrap(err)
		}
		for i, f := range fm {
			if err := sw.SetColWidth(i+1, i+1, f.width); err != nil {
				return wrap(err)
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return wrap(err)
		}
		hdr := make([]any, len(fm))
		for i, f := range fm {
			hdr[i] = excelize.Cell{StyleID: b.s.header, Value: f.header}
		}
		row = 1
		return wrap(sw.SetRow("A1", hdr))
	}
	if err := next(); err != nil {
		return err
	}
	var n int64
	err := raw.Each(ctx, func(r []any) error {
		if row-1 == b.rawPerSheet {
			if err := next(); err != nil {
				return err
			}
		}
		row++
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for i, v := range r {
			vals[i] = b.value(v, fm[i])
		}
		return wrap(sw.SetRow(cell(1, row), vals))
	})
	if err != nil {
		return err
	}
	return wrap(b.finishRaw(sw, row, len(fm)))
}

func (b *book) finishRaw(sw streamWriter, lastRow, cols int) error {
	if lastRow == 1 {
		lastRow = 2
	}
	yes := true
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + cell(cols, lastRow), Name: b.tableName("raw"), StyleName: "TableStyleLight1", ShowRowStripes: &yes}); err != nil {
		return err
	}
	return sw.Flush()
}
