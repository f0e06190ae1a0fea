package report

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/xuri/excelize/v2"
)

// chartData is one chart with the numbers it draws, which are written next to it.
type chartData struct {
	title   string
	source  string // where the numbers come from
	kind    excelize.ChartType
	catName string
	cats    []any // string or time.Time (a day)
	series  []string
	colors  []string
	values  [][]float64 // values[series][category]
}

// outcomeColor is the fill of a sign-in outcome's series: green, amber, red.
func outcomeColor(outcome string) string {
	switch outcome {
	case "success":
		return "70AD47"
	case "interrupted":
		return "FFC000"
	case "failure":
		return "C00000"
	}
	return ""
}

const chartTop = 10

// chartData lists the Charts sheet's charts: the daily one, then the top-N charts the
// catalogue's chart: headers declare, in their rank order, then the log types by outcome.
func (b *book) chartData() ([]chartData, error) {
	var out []chartData
	if c, ok := b.dailyChart(); ok {
		out = append(out, c)
	}
	qs, err := queries.Charts()
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		if s := b.r.Section(q.ID); s != nil && s.Table != nil && s.Answerable() {
			if c, ok := b.topChart(s, q.Chart); ok {
				out = append(out, c)
			}
		}
	}
	var total int64
	lt := chartData{title: "Sign-ins by log type and outcome", source: "the Summary counts (whole database)", kind: excelize.BarStacked,
		catName: "log type", series: []string{"success", "interrupted", "failure"}, values: make([][]float64, 3)}
	for _, c := range b.r.Counts {
		lt.cats = append(lt.cats, c.LogType)
		lt.values[0] = append(lt.values[0], float64(c.Success))
		lt.values[1] = append(lt.values[1], float64(c.Interrupted))
		lt.values[2] = append(lt.values[2], float64(c.Failure))
		total += c.SignIns
	}
	for _, s := range lt.series {
		lt.colors = append(lt.colors, outcomeColor(s))
	}
	if total > 0 {
		out = append(out, lt)
	}
	return out, nil
}

// dailyChart draws the daily query as stacked columns by outcome, adding up the log types.
// It names the daily query's columns itself: a chart: header describes a single-series
// top-N bar chart, not a stack of several columns per day.
func (b *book) dailyChart() (chartData, bool) {
	s := b.r.Section("daily")
	if s == nil || s.Table == nil || len(s.Table.Rows) == 0 {
		return chartData{}, false
	}
	t := s.Table
	day := analyze.ColumnIndex(t, "day")
	if day < 0 {
		return chartData{}, false
	}
	c := chartData{title: "Sign-ins per day by outcome (" + analyze.DescribeWindow(s.Bound, b.loc) + ")", source: "sheet " + b.sheets[s],
		kind: excelize.ColStacked, catName: "day (UTC)"}
	var cols []int
	for _, o := range []struct{ name, column string }{{"success", "successes"}, {"interrupted", "interrupts"}, {"failure", "failures"}} {
		i := analyze.ColumnIndex(t, o.column)
		if i < 0 {
			return chartData{}, false
		}
		cols = append(cols, i)
		c.series = append(c.series, o.name)
		c.colors = append(c.colors, outcomeColor(o.name))
	}
	c.values = make([][]float64, len(cols))
	at := map[string]int{}
	for _, r := range t.Rows {
		key := queries.Text(r[day], time.UTC)
		di, ok := at[key]
		if !ok {
			di = len(c.cats)
			at[key] = di
			var cat any = key
			if d, err := time.Parse(time.DateOnly, key); err == nil {
				cat = d
			}
			c.cats = append(c.cats, cat)
			for si := range c.values {
				c.values[si] = append(c.values[si], 0)
			}
		}
		for si, i := range cols {
			c.values[si][di] += toFloat(r[i])
		}
	}
	return c, true
}

// topChart draws the first rows of a section's table as bars, as its chart: header says.
func (b *book) topChart(s *analyze.Section, spec *queries.Chart) (chartData, bool) {
	t := s.Table
	ci, vi, di := analyze.ColumnIndex(t, spec.Category), analyze.ColumnIndex(t, spec.Value), -1
	if spec.Describe != "" {
		di = analyze.ColumnIndex(t, spec.Describe)
	}
	if ci < 0 || vi < 0 || len(t.Rows) == 0 {
		return chartData{}, false
	}
	type bar struct {
		label string
		v     float64
	}
	var bars []bar
	at := map[string]int{}
	for _, r := range t.Rows {
		label := queries.Text(r[ci], b.loc)
		if label == "" {
			label = "(not recorded)"
		}
		if di >= 0 {
			label += " " + queries.Text(r[di], b.loc)
		}
		label = truncRunes(label, 60)
		if i, ok := at[label]; ok && spec.AddUp {
			bars[i].v += toFloat(r[vi])
			continue
		}
		at[label] = len(bars)
		bars = append(bars, bar{label, toFloat(r[vi])})
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].v > bars[j].v })
	title := spec.Title
	if len(bars) > chartTop {
		bars = bars[:chartTop]
		title += ", top 10"
	}
	c := chartData{title: title + " (" + analyze.DescribeWindow(s.Bound, b.loc) + ")", source: "sheet " + b.sheets[s], kind: excelize.Bar,
		catName: t.Columns[ci].Name, series: []string{t.Columns[vi].Name}, colors: []string{"4472C4"}, values: make([][]float64, 1)}
	for _, x := range bars {
		c.cats = append(c.cats, x.label)
		c.values[0] = append(c.values[0], x.v)
	}
	return c, true
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return x
	}
	return 0
}

// writeCharts puts each chart beside the small table it draws.
func (b *book) writeCharts() error {
	if len(b.charts) == 0 {
		return nil
	}
	sh := b.sheet(sheetCharts)
	sh.width("A", "A", 34)
	sh.width("B", "D", 16)
	sh.set(1, 1, "Charts", b.s.title)
	sh.set(1, 2, "Each chart sits beside the numbers it draws; the full tables are on the query sheets.", b.s.subtitle)
	y := 4
	const chartRows = 18
	for ci, c := range b.charts {
		sh.set(1, y, c.title, b.s.h2)
		sh.set(6, y, "from "+c.source, b.s.note)
		y++
		top := y
		sh.set(1, y, c.catName, b.s.header)
		for si, name := range c.series {
			sh.set(2+si, y, name, b.s.header)
		}
		for i, cat := range c.cats {
			row := y + 1 + i
			switch x := cat.(type) {
			case time.Time:
				sh.set(1, row, excelSerial(x, time.UTC), b.s.date)
			default:
				sh.set(1, row, queries.Text(cat, b.loc), 0)
			}
			for si := range c.series {
				v := c.values[si][i]
				if v == math.Trunc(v) {
					sh.set(2+si, row, int64(v), b.s.intNum)
				} else {
					sh.set(2+si, row, v, b.s.float)
				}
			}
		}
		first, last := top+1, top+len(c.cats)
		ch := &excelize.Chart{
			Type:      c.kind,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title, Font: &excelize.Font{Size: 11, Bold: true}}}},
			Dimension: excelize.ChartDimension{Width: 680, Height: chartRows * 20},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Format:    excelize.GraphicOptions{OffsetX: 10, OffsetY: 0},
		}
		if len(c.series) == 1 {
			ch.Legend.Position = "none"
			ch.PlotArea.ShowVal = true
		}
		axisFont := excelize.Font{Color: "404040", Size: 9}
		ch.XAxis.Font, ch.YAxis.Font = axisFont, axisFont
		ch.YAxis.MajorGridLines = true
		if c.kind == excelize.Bar || c.kind == excelize.BarStacked {
			ch.XAxis.ReverseOrder = true // first row at the top
		}
		if _, ok := c.cats[0].(time.Time); ok {
			ch.XAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "yyyy-mm-dd"}
		}
		for si, name := range c.series {
			colRef := colName(2 + si)
			ch.Series = append(ch.Series, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$%d", sheetCharts, colRef, top),
				Categories: fmt.Sprintf("'%s'!$A$%d:$A$%d", sheetCharts, first, last),
				Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheetCharts, colRef, first, colRef, last),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.colors[si]}},
			})
			_ = name
		}
		if sh.err != nil {
			return sh.err
		}
		if err := b.f.AddChart(sheetCharts, cell(6, top), ch); err != nil {
			return fmt.Errorf("chart %d (%s): %w", ci+1, c.title, err)
		}
		y = top + max(len(c.cats)+1, chartRows) + 2
	}
	if sh.err != nil {
		return sh.err
	}
	return b.landscape(sheetCharts)
}
