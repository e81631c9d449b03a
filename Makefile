# Punto: `make run` starts the demo portal and a totem, `make test` runs every test.

GO        ?= go
TAGS      := sqlite_fts5
DATA      ?= data
ADDR      ?= :8080
BENCH_DIR ?= $(CURDIR)/.bench
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

# Debian packages the tests use: GIS tools, the SpatiaLite benchmark, chromium (its
# headless shell for the browser tests, the full browser for Lighthouse) and fonts, for deploy/ systemd-analyze, kill, shellcheck, cage, nginx and curl, npm
# for ESLint (make lint), wrk for the HTTP benchmark (make bench); espeak-ng (the
# totem reads aloud) and sox (the voice tests decode what it says); CUPS, its PDF
# printer and poppler (the printing tests).
DEB_PKGS  := spatialite-bin gdal-bin libsqlite3-mod-spatialite chromium chromium-headless-shell fonts-noto-core fonts-noto-cjk tilemaker osmium-tool \
             systemd procps shellcheck cage nginx-light curl npm wrk \
             cups cups-client printer-driver-cups-pdf poppler-utils espeak-ng sox

.PHONY: all build run test soak fuzz lint bench bench-http deps clean vendor budget tiles basemap litestream

# Litestream, the portal's replication sidecar (deploy/systemd/punto-litestream.service,
# deploy/litestream.yml): no Debian package, so built from the Go module proxy at this
# version, v0.3 being built with mattn/go-sqlite3 as Punto is. The tests build the same
# (internal/testenv/litestream.go, which checks that the two agree).
LITESTREAM_VERSION := v0.3.14

all: build

build:
	$(GO) build -tags $(TAGS) -ldflags "-X main.version=$(VERSION)" -o bin/punto ./cmd/punto

PORTAL_ADDR ?= :8090

## run: build and start the demo: a portal (http://localhost:8090, editor at /editor)
## and one totem (http://localhost:8080) that follows it; files in $(DATA)/
run: build
	@mkdir -p $(DATA)
	@rm -f $(DATA)/demo-totem.token
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	./bin/punto portal --db $(DATA)/portal.db --key $(DATA)/portal.key --addr $(PORTAL_ADDR) --demo \
		--demo-totem-token $(DATA)/demo-totem.token --public-url http://localhost$(PORTAL_ADDR) & \
	for i in $$(seq 100); do [ -s $(DATA)/demo-totem.token ] && break; sleep 0.2; done; \
	./bin/punto totem --db $(DATA)/punto.db --addr $(ADDR) --demo --totem-id demo-totem \
		--portal ws://localhost$(PORTAL_ADDR)/sync --portal-key $(DATA)/portal.key.pub \
		--token-file $(DATA)/demo-totem.token --insecure-dev --public-url http://localhost$(PORTAL_ADDR) & \
	wait

# The race detector triples the CPU of the code it watches. make test runs it on the
# packages whose concurrency lives in their own process (the sync hub and client, the
# fleet, the editorial and mediation stores, the outbox, the voice and print queues)
# and on the catalog's concurrency tests (RACE_CONTENT); the packages whose tests drive
# chromium, CUPS, whole processes or big imports run plain, as the punto processes the
# tests start do, and so do the feed and geo, whose tests run no goroutines (the relay's
# tests publish and apply batches under the race detector, and the catalog's
# concurrency tests search its geometry while it is written). make race (and make soak)
# runs everything under it.
BROWSER_PKGS := ./cmd/... ./portal/... ./kiosk/...
DATA_PKGS    := ./content ./content/feed/... ./content/exchange/... ./deploy/... ./geo/...
PLAIN_PKGS   := $(BROWSER_PKGS) $(DATA_PKGS)
RACE_CONTENT := TestOpenBackground|TestSearchWhileWriting|TestIndexFile
# Tests of the plain packages mostly wait on chromium, CUPS and other processes: more
# of them run at once than there are cores (more packages at once than cores, -p 3,
# only loads the machine more: 260 s instead of 236).
PLAIN_PARALLEL ?= 4
# -trimpath: the build cache's entries for this module's packages do not depend on the
# folder it is cloned in, so a clean clone compiles only what changed. -ldflags=-w: the
# test binaries are linked without DWARF (half the link's CPU; stack traces keep their
# lines). Debug a test with go test directly.
TESTFLAGS ?= -trimpath -ldflags=-w

## test: install what the tests need, then run every test in two lanes side by side,
## each about half the work: the packages that drive chromium and whole punto processes
## (BROWSER_PKGS, longest first), and the race detector's packages, the catalog's
## concurrency tests under it, then the data packages (DATA_PKGS) plain.
## CI (.ci/run) runs make lint, then make test; go vet is make lint's, not run twice.
test: deps
	@$(MAKE) --no-print-directory -j2 test-race-lane test-browser-lane

.PHONY: test-race-lane test-browser-lane race
test-race-lane:
	$(GO) test -race -count=1 -vet=off $(TESTFLAGS) -tags $(TAGS) $$($(GO) list -tags $(TAGS) ./... | grep -v -x -F "$$($(GO) list -tags $(TAGS) $(PLAIN_PKGS))")
	$(GO) test -race -count=1 -vet=off $(TESTFLAGS) -tags $(TAGS) -run '^($(RACE_CONTENT))$$' ./content
	$(GO) test -count=1 -vet=off $(TESTFLAGS) -parallel $(PLAIN_PARALLEL) -tags $(TAGS) -skip '^($(RACE_CONTENT))$$' $(DATA_PKGS)
test-browser-lane:
	$(GO) test -count=1 -vet=off $(TESTFLAGS) -parallel $(PLAIN_PARALLEL) -tags $(TAGS) $(BROWSER_PKGS)

## race: every test with the race detector
race: deps
	$(GO) test -race -count=1 -tags $(TAGS) ./...

## soak: the long loops: 40 SIGKILLs of a portal while it publishes and imports
## (0 corrupt, 0 published without audit, 0 acknowledged and lost), then every
## test again with the punto processes the tests start built with -race too
## (make test builds them plain, for speed) and the soak sizes (PUNTO_SOAK)
SOAK_KILLS ?= 40
soak: deps
	PUNTO_SOAK_KILLS=$(SOAK_KILLS) $(GO) test -race -count=1 -tags $(TAGS) -timeout 120m -run 'TestPortalKilledDuringPublish' -v ./cmd/punto
	PUNTO_SOAK=1 PUNTO_RACE_BINARY=1 $(GO) test -race -count=1 -timeout 60m -tags $(TAGS) ./...

## fuzz: each fuzz target for FUZZTIME (the blob codec, signed envelopes and snapshot
## manifests, the ready-built lexicon, search's folding of text, the TOML config, every public endpoint's query parameters, the HSDS JSON,
## HSDS CSV package, GeoJSON and CSV importers), then the
## API contract fuzzer for CONTRACT_N requests; the inputs
## worth keeping go to each package's testdata/fuzz, which `go test` replays
FUZZTIME     ?= 10s
CONTRACT_N   ?= 20000
FUZZ_TARGETS := ./geo:FuzzDecodeBlob ./content/feed:FuzzOpenEnvelope ./content:FuzzDecodeLexicon ./content:FuzzFold ./kiosk:FuzzQueryParams ./cmd/punto:FuzzConfigFile \
                ./content/exchange:FuzzParseHSDS ./content/exchange:FuzzParseHSDSCSV ./content/exchange:FuzzParseGeoJSON ./content/exchange:FuzzParseCSV
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done
	@echo "fuzz: the API contract (TestOpenAPIContract), $(CONTRACT_N) requests drawn from openapi.json"
	PUNTO_CONTRACT_N=$(CONTRACT_N) $(GO) test -tags $(TAGS) -count=1 -run '^TestOpenAPIContract$$' ./kiosk

# The Go linters, pinned; `go run` fetches them through the module proxy once.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ERRCHECK    := github.com/kisielk/errcheck@v1.30.0

## lint: gofmt, go vet, staticcheck, errcheck (.errcheck-excludes names the calls
## whose errors say nothing; test support, which only cleans up, is left out) and ESLint on assets/web (pinned in assets/package.json;
## run when npm is there, and always on CI, where a missing npm fails)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './assets/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...
	$(GO) run $(ERRCHECK) -tags $(TAGS) -ignoretests -exclude .errcheck-excludes $$($(GO) list ./... | grep -v -e /internal/testenv -e /internal/browsertest)
	@if command -v npm >/dev/null 2>&1; then \
		[ -x assets/node_modules/.bin/eslint ] || (cd assets && npm ci --no-audit --no-fund) || exit 1; \
		cd assets && npx --no-install eslint web; \
	elif [ -n "$$CI" ]; then \
		echo "make lint: npm is missing, and CI needs ESLint (install Node.js and npm)"; exit 1; \
	else \
		echo "make lint: npm not found, ESLint skipped"; \
	fi

# The HTTP benchmark's sizes and run length: BENCH_SIZES=10000,100000 for a quicker run.
BENCH_SIZES ?= 10000,100000,1000000
BENCH_TIME  ?= 10s
# BENCH_SOAK=5m keeps each size's totem under load that long after its runs and reports how RSS grows.
BENCH_SOAK  ?=
# The reconnect storm's jitter window: each dropped totem dials again after a random wait below it.
STORM_JITTER ?= 10s

## bench: nearby at 10k, 100k and 1M services beside SpatiaLite; search at 100k and what its
## index adds to opening 10k; feed fan-out to 2,000 totems, catch-up and snapshot, a
## snapshot's checks; a reconnect storm (1 portal, 2 mirrors, 2,000 totems dropped at once, STORM_JITTER); then a
## totem over HTTP under wrk (cmd/httpbench), beside Tile38 with TILE38=path/to/tile38-server
## (catalogs cached in $(BENCH_DIR))
bench: deps build
	mkdir -p $(BENCH_DIR)
	PUNTO_BENCH_DIR=$(BENCH_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkNearby' -benchtime 2s -timeout 60m ./content
	PUNTO_BENCH_DIR=$(BENCH_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkSearch$$|BenchmarkLexicon|BenchmarkLoadLexicon|BenchmarkFold' -benchtime 2s -timeout 30m ./content
	PUNTO_BENCH_DIR=$(BENCH_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkOpenSearchIndex' -benchtime 40x -timeout 30m ./content
	PUNTO_BENCH_DIR=$(BENCH_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkFanout' -benchtime 20x -timeout 30m ./relay
	PUNTO_BENCH_DIR=$(BENCH_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkCatchUp|BenchmarkSnapshot' -benchtime 3x -timeout 60m ./relay
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkCheckSnapshot' -benchtime 10x ./content/feed
	PUNTO_STORM_JITTER=$(STORM_JITTER) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkReconnectStorm' -benchtime 3x -timeout 30m ./relay
	PUNTO_BENCH_DIR=$(BENCH_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkImport' -benchtime 2x -timeout 30m ./content/exchange
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkStreamImport100MB|BenchmarkStreamImportCSV100MB' -benchtime 1x -timeout 60m ./content/exchange
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'BenchmarkCountNeed|BenchmarkNeedsReports' -benchtime 2s ./fleet
	$(GO) run -tags $(TAGS) ./cmd/httpbench -dir $(BENCH_DIR) -punto bin/punto -sizes $(BENCH_SIZES) -duration $(BENCH_TIME) $(if $(TILE38),-tile38 $(TILE38)) $(if $(BENCH_SOAK),-soak $(BENCH_SOAK))

## bench-http: only the HTTP benchmark (see bench)
bench-http: deps build
	mkdir -p $(BENCH_DIR)
	$(GO) run -tags $(TAGS) ./cmd/httpbench -dir $(BENCH_DIR) -punto bin/punto -sizes $(BENCH_SIZES) -duration $(BENCH_TIME) $(if $(TILE38),-tile38 $(TILE38)) $(if $(BENCH_SOAK),-soak $(BENCH_SOAK))

## litestream: build Litestream (LITESTREAM_VERSION) into bin/, for /usr/local/bin on a portal
litestream:
	GOBIN=$(CURDIR)/bin CGO_ENABLED=1 $(GO) install github.com/benbjohnson/litestream/cmd/litestream@$(LITESTREAM_VERSION)

## deps: install the Debian packages above when missing (needs root, as on CI), and
## build the pinned Litestream the tests run once (kept in the tests' build cache)
deps: deps-debian
	$(GO) test -count=1 -run '^TestLitestreamPinned$$' ./internal/testenv

.PHONY: deps-debian
deps-debian:
	@missing=""; \
	command -v spatialite >/dev/null || missing="$$missing spatialite-bin"; \
	command -v ogrinfo >/dev/null || missing="$$missing gdal-bin"; \
	[ -n "$$(ls /usr/lib/*/mod_spatialite.so /usr/lib/mod_spatialite.so 2>/dev/null)" ] || missing="$$missing libsqlite3-mod-spatialite"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromium-headless-shell >/dev/null || missing="$$missing chromium-headless-shell"; \
	[ -d /usr/share/fonts/truetype/noto ] || missing="$$missing fonts-noto-core"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	command -v tilemaker >/dev/null || missing="$$missing tilemaker"; \
	command -v osmium >/dev/null || missing="$$missing osmium-tool"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	[ -x /bin/kill ] || missing="$$missing procps"; \
	command -v shellcheck >/dev/null || missing="$$missing shellcheck"; \
	command -v cage >/dev/null || missing="$$missing cage"; \
	command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null || missing="$$missing sox"; \
	[ -x /usr/sbin/cupsd ] || missing="$$missing cups"; \
	command -v lp >/dev/null || missing="$$missing cups-client"; \
	[ -x /usr/lib/cups/backend/cups-pdf ] || missing="$$missing printer-driver-cups-pdf"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

## tiles: the basemap for --tiles, vector tiles from an OpenStreetMap extract with tilemaker:
## make tiles OSM=region.osm.pbf [OUT=$(DATA)/tiles.mbtiles] [BBOX=minlon,minlat,maxlon,maxlat] [COASTLINE=dir]
tiles:
	@[ -n "$(OSM)" ] || { echo "usage: make tiles OSM=region.osm.pbf [OUT=$(DATA)/tiles.mbtiles] [BBOX=minlon,minlat,maxlon,maxlat] [COASTLINE=dir]" >&2; exit 2; }
	@mkdir -p "$(dir $(or $(OUT),$(DATA)/tiles.mbtiles))"
	bash tiles/build.sh $(if $(BBOX),--bbox "$(BBOX)") $(if $(COASTLINE),--coastline "$(COASTLINE)") "$(OSM)" "$(or $(OUT),$(DATA)/tiles.mbtiles)"

## basemap: make the built-in basemap (assets/web/basemap) again from Natural
## Earth (npm) and GeoNames (Debian libgeonames0, libgeonames-common; needs
## npm, gdal-bin and python3)
basemap:
	bash tiles/basemap/build.sh
	$(GO) generate ./assets

clean:
	rm -rf bin

# Category icons (and, later, other browser libraries) come from npm at the
# versions pinned in assets/package-lock.json; their files are vendored so
# that `go build` alone works.
ICONS := info file-text languages briefcase book-open heart-pulse house graduation-cap scale baby users calendar-heart map-pin-house search lightbulb pointer

## vendor: refresh assets/web/vendor from npm (needs node and npm), and the
## build-time brotli copies of assets/precompressed
vendor:
	cd assets && npm ci --no-audit --no-fund
	rm -rf assets/web/vendor/lucide && mkdir -p assets/web/vendor/lucide
	cp assets/node_modules/lucide-static/LICENSE assets/web/vendor/lucide/
	for i in $(ICONS); do cp assets/node_modules/lucide-static/icons/$$i.svg assets/web/vendor/lucide/; done
	rm -rf assets/web/vendor/simple-keyboard && mkdir -p assets/web/vendor/simple-keyboard
	cp assets/node_modules/simple-keyboard/build/index.js assets/node_modules/simple-keyboard/build/css/index.css assets/node_modules/simple-keyboard/LICENSE assets/web/vendor/simple-keyboard/
	cp assets/node_modules/simple-keyboard-layouts/LICENSE assets/web/vendor/simple-keyboard/LICENSE-layouts
	node assets/tools/keyboards.cjs
	rm -rf assets/web/vendor/maplibre && mkdir -p assets/web/vendor/maplibre
	cd assets/node_modules/maplibre-gl/dist && cp maplibre-gl-csp.js maplibre-gl-csp-worker.js maplibre-gl.css LICENSE.txt ../../../web/vendor/maplibre/
	rm -rf assets/web/vendor/uplot && mkdir -p assets/web/vendor/uplot
	cp assets/node_modules/uplot/dist/uPlot.iife.min.js assets/node_modules/uplot/dist/uPlot.min.css assets/node_modules/uplot/LICENSE assets/web/vendor/uplot/
	cp assets/node_modules/axe-core/axe.min.js internal/browsertest/axe.min.js
	$(GO) generate ./assets

## budget: Lighthouse (npm, pinned) with Debian chromium on the phone pages and the totem's first screen
LIGHTHOUSE := npx --yes lighthouse@13.5.0
budget: build
	@dir=$$(mktemp -d); ./bin/punto totem --db $$dir/punto.db --demo --addr 127.0.0.1:8097 2>/dev/null & pid=$$!; sleep 2; \
	flags='--quiet --only-categories=performance,accessibility --output=json --chrome-flags=--headless=new --chrome-flags=--no-sandbox --chrome-flags=--disable-gpu --chrome-flags=--disable-background-networking'; \
	for page in "phone /s/ancona-info-0?lang=ar --form-factor=mobile" "phone / --form-factor=mobile" "totem /?kiosk=1 --preset=desktop --throttling-method=provided"; do \
		set -- $$page; CHROME_PATH=$$(command -v chromium) $(LIGHTHOUSE) "http://127.0.0.1:8097$$2" $$flags $$3 $$4 --output-path=$$dir/lh.json >/dev/null 2>&1; \
		node -e 'const d=require(process.argv[1]),a=d.audits;console.log(process.argv[2].padEnd(6), process.argv[3].padEnd(28), "performance", d.categories.performance.score*100, "accessibility", d.categories.accessibility.score*100, "FCP", a["first-contentful-paint"].displayValue, "TTI", a.interactive.displayValue)' $$dir/lh.json $$1 $$2; \
	done; kill $$pid; rm -rf $$dir
	@for f in assets/web/index.html assets/web/app.js assets/web/core.js assets/web/lib/format.js assets/web/screens/*.js assets/web/style.css; do printf '%-28s %6d bytes, %6d gzipped\n' $$f $$(wc -c < $$f) $$(gzip -9c $$f | wc -c); done
