package content

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// MaxGenerated is the largest synthetic catalog Generate writes.
const MaxGenerated = 1_000_000

// Generated catalogs spread their points over Marche and Umbria: most
// around real town centres (the demo's comuni), the rest anywhere in the
// two regions' box.
var generatedBox = orb.Bound{Min: orb.Point{11.90, 42.40}, Max: orb.Point{13.95, 43.98}}

var generatedLangs = []string{"it", "en", "fr", "ar", "es", "ur", "fa", "bn", "zh", "uk", "ru", "ro", "sq", "pa", "ti"}

var generatedSchedules = []string{"office-mornings", "office-split", "twice-weekly", "evening-classes", "appointment", "weekend-events"}

// GenerateOptions sets the size and seed of a synthetic catalog.
type GenerateOptions struct {
	Services int
	Seed     uint64
}

// Generate writes a deterministic synthetic catalog: the same options give
// the same services, points, categories, languages and hours. It is for
// tests and benchmarks; every name says it is synthetic.
func Generate(ctx context.Context, path string, opt GenerateOptions) error {
	if opt.Services < 1 || opt.Services > MaxGenerated {
		return invalid("services", "must be between 1 and %d", MaxGenerated)
	}
	var d demoData
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		return fmt.Errorf("content: demo data: %w", err)
	}
	return Create(ctx, path, func(b *Batch) error {
		r := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
		for i := range opt.Services {
			if i%10000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			svc := syntheticService(r, d.Comuni, i)
			if err := b.PutService(&svc); err != nil {
				return fmt.Errorf("content: generate service %d: %w", i, err)
			}
		}
		return b.setMeta("source", fmt.Sprintf("generated services=%d seed=%d", opt.Services, opt.Seed))
	})
}

func syntheticService(r *rand.Rand, comuni []demoComune, i int) Service {
	var p orb.Point
	comune := comuni[r.IntN(len(comuni))]
	if r.Float64() < 0.8 {
		// Around a town centre, spread ~3 km.
		p = orb.Point{comune.Lon + r.NormFloat64()*0.035, comune.Lat + r.NormFloat64()*0.025}
	} else {
		p = orb.Point{
			generatedBox.Min[0] + r.Float64()*(generatedBox.Max[0]-generatedBox.Min[0]),
			generatedBox.Min[1] + r.Float64()*(generatedBox.Max[1]-generatedBox.Min[1]),
		}
	}
	p = orb.Point{math.Round(p[0]*1e7) / 1e7, math.Round(p[1]*1e7) / 1e7}
	cats := []string{Categories[r.IntN(len(Categories))].ID}
	if r.IntN(4) == 0 {
		if c := Categories[r.IntN(len(Categories))].ID; c != cats[0] {
			cats = append(cats, c)
		}
	}
	langs := []string{"it"}
	for range r.IntN(3) {
		if l := generatedLangs[1+r.IntN(len(generatedLangs)-1)]; l != langs[len(langs)-1] {
			langs = append(langs, l)
		}
	}
	sched := demoSchedules[generatedSchedules[r.IntN(len(generatedSchedules))]]
	status := StatusActive
	switch n := r.IntN(100); {
	case n == 0:
		status = StatusWithdrawn
	case n < 3:
		status = StatusTemporarilyClosed
	}
	id := fmt.Sprintf("gen-%07d", i)
	return Service{
		ID:         id,
		Status:     status,
		Name:       Text{"it": fmt.Sprintf("Servizio sintetico %d (%s) – %s", i, cats[0], comune.Name), "en": fmt.Sprintf("Synthetic service %d (%s) – %s", i, cats[0], comune.Name)},
		Categories: cats,
		Languages:  langs,
		Hours:      Schedule{Weekly: sched.Weekly},
		Locations: []Location{{
			ID: "gen-loc-" + id[4:], Address: fmt.Sprintf("Via Sintetica %d", 1+r.IntN(200)),
			Comune: comune.Name, Province: comune.Province, Region: comune.Region, Point: p,
		}},
	}
}
