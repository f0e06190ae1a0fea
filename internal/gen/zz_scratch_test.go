package gen_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store/storetest"
)

func TestZZScratch(t *testing.T) {
	db, sum := storetest.OpenLoad(t, filepath.Join("..", "..", "testdata", "sample"))
	var rec, loaded, skipped, rejected int64
	for _, f := range sum.Files {
		rec += int64(f.Records); loaded += int64(f.Loaded); skipped += int64(f.Skipped); rejected += int64(f.Rejected)
	}
	fmt.Println("records", rec, "loaded", loaded, "skipped", skipped, "rejected", rejected)
	ctx := context.Background()
	asOf, _ := queries.LatestEvent(ctx, db.SQL)
	fs, _, err := queries.RunDetections(ctx, db.SQL, queries.Params{}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		fmt.Printf("%s\t%s\t%s\t%s\t%s\t%s\t%d\n", f.Severity, f.Detection, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID, f.FirstSeen.Format("01-02 15:04"), f.Events)
	}
}
