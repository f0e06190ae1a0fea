package reference

import (
	"strings"
	"testing"
)

// section9 lists every code of export-formats.md §9 (the shared parser specification).
var section9 = []int64{0, 50126, 50053, 50055, 50056, 50057, 50058, 50072, 50074, 50076, 50079, 50097, 50125,
	50133, 50140, 50144, 50155, 50158, 50173, 50199, 51004, 53000, 53001, 53002, 53003, 53004, 65001, 70008,
	70043, 70044, 81010, 90094, 90095, 500011, 500121, 500133, 530003, 700016, 7000112, 7000215, 7000222,
	16000, 16001, 16003}

// wellKnown lists the AADSTS codes the catalogue issue asks for by number.
var wellKnown = []int64{50034, 50089, 50105, 50128, 50131, 50132, 50135, 50143, 50178, 50181, 50203, 54000,
	65004, 70000, 70001, 70002, 70003, 70011, 70012, 70016, 70018, 70019, 75011, 80001, 80002, 80005, 80007,
	80012, 81012, 90010, 90014, 90072, 90081, 90095, 399284, 500011, 500014, 500200, 500341, 500571, 530002,
	530032, 530034, 700003, 700005, 700024, 700027, 700082, 7000218, 7000112, 9002313}

func TestErrorCodesParse(t *testing.T) {
	m, err := parseCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(m) < 80 {
		t.Errorf("%d codes; the reference should hold at least 80", len(m))
	}
	for _, c := range Codes() {
		if c.Meaning == "" || strings.ContainsAny(c.Meaning, "\t\r\n") {
			t.Errorf("%d: meaning must be one line of text: %q", c.Code, c.Meaning)
		}
		if !strings.HasSuffix(c.Meaning, ".") {
			t.Errorf("%d: meaning should be a sentence ending with a period: %q", c.Code, c.Meaning)
		}
		if strings.Contains(c.Meaning, "AADSTS") {
			t.Errorf("%d: meaning quotes an AADSTS message; say it in our own words", c.Code)
		}
		if (c.Code == 0) != (c.Class == "success") {
			t.Errorf("%d: class %s; only code 0 is success", c.Code, c.Class)
		}
	}
}

func TestErrorCodesCoverTheSpecification(t *testing.T) {
	for _, list := range [][]int64{section9, wellKnown} {
		for _, n := range list {
			if _, ok := LookupCode(n); !ok {
				t.Errorf("code %d is missing from errorcodes.tsv", n)
			}
		}
	}
}

// TestErrorCodeClasses pins the classes of §9 that decide the status column for the codes
// everyone meets; a change here changes how loaded sign-ins are classed.
func TestErrorCodeClasses(t *testing.T) {
	for code, class := range map[int64]string{
		0: "success", 50126: "failure", 50140: "interrupted", 50074: "interrupted", 50058: "interrupted",
		53003: "failure", 500121: "failure", 7000215: "failure", 16000: "interrupted", 65001: "interrupted",
	} {
		c, ok := LookupCode(code)
		if !ok || c.Class != class {
			t.Errorf("%d: class %q, want %q", code, c.Class, class)
		}
	}
}

func TestCodesSorted(t *testing.T) {
	all := Codes()
	for i := 1; i < len(all); i++ {
		if all[i-1].Code >= all[i].Code {
			t.Fatalf("Codes() not in numeric order at %d", all[i].Code)
		}
	}
}
