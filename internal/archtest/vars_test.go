// Package archtest holds tests of the code's shape rather than its behaviour.
package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowed is the package-level variables the rule below would refuse, kept on purpose, each
// with its reason. Keys are "dir.name", dir relative to internal/.
var allowed = map[string]string{
	// Filled once under topFieldsOnce and only read afterwards; a plain initializer would be an
	// initialization cycle, because the nested setters look their fields up in it.
	"loaders.topFieldMap": "built on first use under topFieldsOnce, read-only afterwards",
}

// TestNoPackageLevelMutableVariables: no package under internal/ keeps state a caller or a
// test could change for everyone else (issue 16: options, not package knobs). A package-level
// variable passes when it is
//   - a go:embed string, []byte or FS, an errors.New sentinel, a regexp.MustCompile, a
//     sync.Pool or a sync.Once* value; or
//   - unexported, given its value where it is declared, never written afterwards (no
//     assignment to it or through it, no ++/--, no &x, no delete or clear, in any file of the
//     package, tests included) and, when a slice or map, never handed out with return x:
//     a read-only lookup table; or
//   - on the allow-list above, with its reason.
//
// Exported variables other than the first kind are refused: any importer could assign them.
func TestNoPackageLevelMutableVariables(t *testing.T) {
	pkgs := parsePackages(t, "..")
	if len(pkgs) < 5 {
		t.Fatalf("found %d packages under internal/; the walk is broken", len(pkgs))
	}
	seen := map[string]bool{}
	for dir, p := range pkgs {
		for _, v := range p.vars {
			key := dir + "." + v.name
			seen[key] = true
			why := p.refusal(v)
			if why == "" {
				continue
			}
			if _, ok := allowed[key]; ok {
				continue
			}
			t.Errorf("%s: package-level variable %s %s; make it a constant, a function, an option field or a local", v.pos, v.name, why)
		}
	}
	for key, reason := range allowed {
		if reason == "" {
			t.Errorf("allow-list entry %s has no reason", key)
		}
		if !seen[key] {
			t.Errorf("allow-list entry %s names no package-level variable; remove it", key)
		}
	}
}

type pkgVar struct {
	name string
	pos  token.Position
	spec *ast.ValueSpec
	init ast.Expr // nil when declared without a value
	doc  string
}

type pkg struct {
	fset    *token.FileSet
	vars    []pkgVar
	files   []*ast.File // every file, tests included: they may write variables too
	written map[string]string
	leaked  map[string]string
}

// parsePackages reads every .go file under root, by directory relative to root.
func parsePackages(t *testing.T, root string) map[string]*pkg {
	t.Helper()
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		dir = filepath.ToSlash(dir)
		// An external test package (name_test) shares the folder but not the variables.
		key := dir
		if strings.HasSuffix(f.Name.Name, "_test") {
			key = dir + " (external tests)"
		}
		p := pkgs[key]
		if p == nil {
			p = &pkg{fset: fset}
			pkgs[key] = p
		}
		p.files = append(p.files, f)
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				doc := g.Doc.Text() + vs.Doc.Text()
				if vs.Doc != nil {
					doc += directives(vs.Doc)
				}
				if g.Doc != nil {
					doc += directives(g.Doc)
				}
				for i, n := range vs.Names {
					if n.Name == "_" {
						continue
					}
					v := pkgVar{name: n.Name, pos: fset.Position(n.Pos()), spec: vs, doc: doc}
					if i < len(vs.Values) {
						v.init = vs.Values[i]
					}
					p.vars = append(p.vars, v)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, p := range pkgs {
		if len(p.vars) == 0 {
			delete(pkgs, key)
			continue
		}
		p.scan()
	}
	return pkgs
}

// directives returns the //go: lines of a comment group, which Text leaves out.
func directives(cg *ast.CommentGroup) string {
	var b strings.Builder
	for _, c := range cg.List {
		if strings.HasPrefix(c.Text, "//go:") {
			b.WriteString(c.Text + "\n")
		}
	}
	return b.String()
}

// refusal says why v is refused, or "" when it passes.
func (p *pkg) refusal(v pkgVar) string {
	if strings.Contains(v.doc, "//go:embed ") {
		return ""
	}
	if call, ok := v.init.(*ast.CallExpr); ok {
		switch name := selector(call.Fun); {
		case name == "errors.New", name == "regexp.MustCompile", strings.HasPrefix(name, "sync.Once"):
			return ""
		}
	}
	switch selector(v.spec.Type) {
	case "sync.Pool", "sync.Once":
		return ""
	}
	if lit, ok := v.init.(*ast.CompositeLit); ok {
		switch selector(lit.Type) {
		case "sync.Pool", "sync.Once":
			return ""
		}
	}
	if ast.IsExported(v.name) {
		return "is exported, so any importer can change it"
	}
	if v.init == nil {
		return "is declared without a value, so it is set at run time"
	}
	if at, ok := p.written[v.name]; ok {
		return "is written after its declaration (" + at + ")"
	}
	if at, ok := p.leaked[v.name]; ok {
		return "is handed out to callers, who can change it (" + at + ")"
	}
	return ""
}

// selector renders pkg.Name (or Name) of a type or function expression, "" otherwise.
func selector(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return x.Name + "." + e.Sel.Name
		}
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr: // generic instantiation, e.g. sync.OnceValue[T]
		return selector(e.X)
	case *ast.IndexListExpr:
		return selector(e.X)
	}
	return ""
}

// scan finds, in every file of the package, the writes to package-level variables and the
// returns that hand out a slice or map variable itself. A name a function declares for
// itself is that function's own, not the package's, and is skipped inside it.
func (p *pkg) scan() {
	p.written, p.leaked = map[string]string{}, map[string]string{}
	refOnly := map[string]bool{} // slice and map variables: returning them shares them
	names := map[string]bool{}
	for _, v := range p.vars {
		names[v.name] = true
		switch x := v.init.(type) {
		case *ast.CompositeLit:
			switch x.Type.(type) {
			case *ast.MapType:
				refOnly[v.name] = true
			case *ast.ArrayType:
				refOnly[v.name] = x.Type.(*ast.ArrayType).Len == nil
			}
		case *ast.CallExpr:
			refOnly[v.name] = true // make, append and helpers return slices and maps here
		}
	}
	for _, f := range p.files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			local := localNames(fn)
			mark := func(m map[string]string, e ast.Expr, how string) {
				if id := root(e); id != nil && names[id.Name] && !local[id.Name] {
					if _, ok := m[id.Name]; !ok {
						m[id.Name] = fmt.Sprintf("%s at %s", how, p.fset.Position(id.Pos()))
					}
				}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					if n.Tok != token.DEFINE {
						for _, l := range n.Lhs {
							mark(p.written, l, "assigned")
						}
					}
				case *ast.RangeStmt:
					if n.Tok == token.ASSIGN {
						mark(p.written, n.Key, "assigned by range")
						mark(p.written, n.Value, "assigned by range")
					}
				case *ast.IncDecStmt:
					mark(p.written, n.X, n.Tok.String())
				case *ast.UnaryExpr:
					if n.Op == token.AND {
						mark(p.written, n.X, "address taken")
					}
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "delete" || id.Name == "clear") && len(n.Args) > 0 {
						mark(p.written, n.Args[0], id.Name)
					}
				case *ast.ReturnStmt:
					for _, r := range n.Results {
						if id, ok := r.(*ast.Ident); ok && refOnly[id.Name] {
							mark(p.leaked, id, "returned")
						}
					}
				}
				return true
			})
		}
	}
}

// root is the variable an expression writes through: x in x, x[i], x.f, x[i].f[j], *x.
func root(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x
		case *ast.IndexExpr:
			e = x.X
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// localNames is every name a function declares: receiver, parameters, results and the
// variables of its body (approximate, scope-blind: a name declared anywhere in the function
// counts as local throughout it).
func localNames(fn *ast.FuncDecl) map[string]bool {
	local := map[string]bool{}
	fields := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				local[n.Name] = true
			}
		}
	}
	fields(fn.Recv)
	fields(fn.Type.Params)
	fields(fn.Type.Results)
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						local[id.Name] = true
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						local[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				local[id.Name] = true
			}
		case *ast.FuncLit:
			fields(n.Type.Params)
			fields(n.Type.Results)
		}
		return true
	})
	return local
}

// The rule itself, on a made-up package: each kind of variable it must refuse, each kind it
// must let pass.
func TestVariableRule(t *testing.T) {
	dir := t.TempDir()
	src := map[string]string{
		"p/p.go": `package p

import (
	"embed"
	"errors"
	"regexp"
	"sync"
)

//go:embed p.go
var source string

//go:embed p.go
var files embed.FS

var (
	ErrGone  = errors.New("gone")
	word     = regexp.MustCompile("w+")
	pool     sync.Pool
	once     sync.Once
	loadOnce = sync.OnceValue(func() int { return 1 })
	table    = map[string]int{"a": 1}
	sizes    = [2]int{1, 2}
	names    = []string{"x"}
	Exported = []string{"x"}
	knob     = 4
	filled   map[string]int
	counter  int
	bumped   = 0
	pointed  = [2]int{}
	deleted  = map[string]int{}
	handed   = []string{"y"}
	shadowed = 3
)

func use() (int, []string, [2]int) {
	knob = 8
	bumped++
	p := &pointed[0]
	_ = p
	delete(deleted, "a")
	shadowed := 4
	shadowed = 5
	return table["a"] + sizes[0] + len(names) + shadowed, handed, sizes
}
`,
		"p/p_test.go": `package p

func setCounter() { counter = 2 }
`,
	}
	for name, text := range src {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkgs := parsePackages(t, dir)
	p := pkgs["p"]
	if p == nil {
		t.Fatalf("package p not found: %v", pkgs)
	}
	var refused []string
	for _, v := range p.vars {
		if p.refusal(v) != "" {
			refused = append(refused, v.name)
		}
	}
	slices.Sort(refused)
	want := []string{"Exported", "bumped", "counter", "deleted", "filled", "handed", "knob", "pointed"}
	if !slices.Equal(refused, want) {
		t.Errorf("refused %v, want %v", refused, want)
	}
}
