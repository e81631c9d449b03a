#!/usr/bin/env bash
# tiles/basemap/build.sh makes the offline basemap every totem draws without
# --tiles: Italy and its neighbours as small GeoJSON files in
# assets/web/basemap/ (embedded in the binary):
#   basemap.json  one GeoJSON file, each feature's "kind" saying what it is:
#                 land (Natural Earth 1:10m, world-atlas on npm), sea (the
#                 box less the land), coast (the coastline) and border
#                 (borders between countries). One source, not four: the
#                 map loads it, cuts it into tiles and clips them once.
#   places.json   towns of 15,000 people or more, with their names in the
#                 screens' languages where GeoNames has them (Debian's
#                 libgeonames: tiles/basemap/places.py)
# It runs again to the same files. See tiles/basemap/README.md.
set -euo pipefail

# The box (west, south, east, north; degrees) and the simplification
# tolerance (degrees: 0.002 is about 200 m, finer than Natural Earth 1:10m).
BBOX=5.5,35.0,21.0,48.0
TOLERANCE=0.002
WORLD_ATLAS=world-atlas@2.0.2
WORLD_ATLAS_SHA512=IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==
LANGS="it en fr es ar ur fa bn pa zh uk ru ro sq ti"

die() {
	echo "basemap: $*" >&2
	exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/../../assets/web/basemap}
command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install npm)"
command -v ogr2ogr >/dev/null || die "ogr2ogr is not installed (Debian: apt-get install gdal-bin)"
command -v python3 >/dev/null || die "python3 is not installed"
if [ ! -e /usr/share/locale/ar/LC_MESSAGES/geonames.mo ] || ! ldconfig -p | grep -q libgeonames.so.0; then
	die "libgeonames is not installed (Debian: apt-get install libgeonames0 libgeonames-common)"
fi
mkdir -p "$out"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# world-atlas, at a pinned version, checked against its published digest.
(cd "$work" && npm pack --silent "$WORLD_ATLAS" >/dev/null)
tarball=$(ls "$work"/world-atlas-*.tgz)
got=$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
[ "$got" = "$WORLD_ATLAS_SHA512" ] || die "$WORLD_ATLAS: digest $got, want $WORLD_ATLAS_SHA512"
tar xzf "$tarball" -C "$work"

# The countries and the land that touch the box, made valid (Natural
# Earth has self-intersections that GEOS refuses), into SpatiaLite.
IFS=, read -r west south east north <<<"$BBOX"
ogr2ogr -f SQLite -dsco SPATIALITE=YES -a_srs EPSG:4326 -makevalid -spat "$west" "$south" "$east" "$north" \
	-nlt PROMOTE_TO_MULTI "$work/ne.sqlite" "$work/package/countries-10m.json"

box="BuildMbr($BBOX)"
layer() { # KIND SQL: the features of one kind, coordinates to 4 decimals (about 10 m)
	rm -f "$work/$1.geojson"
	ogr2ogr -f GeoJSON -lco COORDINATE_PRECISION=4 -lco RFC7946=YES -nln "$1" \
		"$work/$1.geojson" "$work/ne.sqlite" -dialect SQLite -sql "$2"
}
layer land "SELECT ST_SimplifyPreserveTopology(ST_Intersection(GEOMETRY, $box), $TOLERANCE) AS geometry FROM land"
layer sea "SELECT ST_SimplifyPreserveTopology(ST_Difference($box, ST_Intersection(GEOMETRY, $box)), $TOLERANCE) AS geometry FROM land"
layer coast "SELECT ST_Simplify(ST_Intersection(ST_Boundary(GEOMETRY), $box), $TOLERANCE) AS geometry FROM land"
layer border "SELECT ST_Simplify(ST_Intersection(ST_LineMerge(ST_Union(CollectionExtract(
	ST_Intersection(ST_Boundary(a.GEOMETRY), ST_Boundary(b.GEOMETRY)), 2))), $box), $TOLERANCE) AS geometry
	FROM countries a, countries b WHERE a.id < b.id AND ST_Intersects(a.GEOMETRY, b.GEOMETRY)"
# One file on one line, sea first (the order the map draws them in), each
# feature with its kind and nothing else: small, and the same bytes every run.
python3 -c 'import json, sys
work, out = sys.argv[1], sys.argv[2]
features = []
for kind in ("sea", "land", "coast", "border"):
    for f in json.load(open(f"{work}/{kind}.geojson"))["features"]:
        if f["geometry"]:
            features.append({"type": "Feature", "properties": {"kind": kind}, "geometry": f["geometry"]})
json.dump({"type": "FeatureCollection", "features": features}, open(out, "w"), separators=(",", ":"))' "$work" "$out/basemap.json"

# shellcheck disable=SC2086 # one argument per language
python3 "$here/places.py" "$BBOX" $LANGS >"$work/places.json"
mv "$work/places.json" "$out/places.json"
cp "$here/LICENSE.md" "$out/LICENSE.md"
ls -l "$out"
