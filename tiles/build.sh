#!/usr/bin/env bash
# tiles/build.sh makes the totem's basemap: vector tiles in the OpenMapTiles
# schema, in one MBTiles file, from an OpenStreetMap extract, with tilemaker
# (tiles/config.json, tiles/process.lua). `punto totem --tiles OUTPUT`
# serves the result. See "A real basemap" in README.md.
set -euo pipefail

usage() {
	cat >&2 <<'EOF'
usage: tiles/build.sh [--bbox MINLON,MINLAT,MAXLON,MAXLAT] [--coastline DIR] [--store DIR] [--threads N] INPUT OUTPUT

  INPUT        an OpenStreetMap extract: .osm.pbf, or .osm / .osm.bz2 / .osm.gz (converted with osmium)
  OUTPUT       the MBTiles file to write (.mbtiles); replaced only once complete
  --bbox       keep only this box of the extract (WGS84 degrees; osmium extract)
  --coastline  a folder holding water_polygons.shp (osmdata.openstreetmap.de,
               water-polygons-split-4326), to draw the sea
  --store      a folder for tilemaker's temporary storage (large regions, little memory)
  --threads    tilemaker threads (default: every core)
EOF
	exit 2
}

die() {
	echo "tiles: $*" >&2
	exit 1
}

bbox="" coastline="" store="" threads=0
while [ $# -gt 0 ]; do
	case "$1" in
	--bbox) [ $# -ge 2 ] || usage; bbox=$2; shift 2 ;;
	--coastline) [ $# -ge 2 ] || usage; coastline=$2; shift 2 ;;
	--store) [ $# -ge 2 ] || usage; store=$2; shift 2 ;;
	--threads) [ $# -ge 2 ] || usage; threads=$2; shift 2 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "tiles: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
input=$1 output=$2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in tilemaker osmium; do
	command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install tilemaker osmium-tool)"
done
[ -f "$input" ] && [ -r "$input" ] || die "$input: no such file"
case "$output" in
*.mbtiles) ;;
*) die "$output: the output must be an .mbtiles file" ;;
esac
outdir=$(dirname -- "$output")
[ -d "$outdir" ] || die "$outdir: no such folder for the output"
[ -w "$outdir" ] || die "$outdir: cannot write there"
[ -d "$output" ] && die "$output is a folder"
if [ -n "$bbox" ]; then
	# Four numbers, west < east and south < north, inside the web map's world.
	echo "$bbox" | awk -F, 'NF != 4 { exit 1 }
		{ for (i = 1; i <= 4; i++) if ($i !~ /^-?[0-9]+(\.[0-9]+)?$/) exit 1 }
		$1 < -180 || $3 > 180 || $2 < -85.06 || $4 > 85.06 || $1 >= $3 || $2 >= $4 { exit 1 }' ||
		die "--bbox $bbox: want MINLON,MINLAT,MAXLON,MAXLAT in degrees, west < east, south < north"
fi
if [ -n "$coastline" ]; then
	[ -f "$coastline/water_polygons.shp" ] || die "--coastline $coastline: no water_polygons.shp there"
	coastline=$(cd "$coastline" && pwd)
fi
if [ -n "$store" ]; then
	[ -d "$store" ] || die "--store $store: no such folder"
fi
case "$threads" in
'' | *[!0-9]*) die "--threads $threads: want a whole number" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/punto-tiles.XXXXXX")
partial=""
cleanup() {
	rm -rf "$work"
	[ -z "$partial" ] || rm -f "$partial"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

osmium fileinfo "$input" >/dev/null 2>"$work/err" || die "$input is not an OpenStreetMap file: $(tail -1 "$work/err")"

# tilemaker reads .osm.pbf; osmium converts other formats and cuts the box.
pbf=$input
if [ -n "$bbox" ]; then
	pbf=$work/input.osm.pbf
	osmium extract --bbox "$bbox" --set-bounds --overwrite -o "$pbf" "$input" || die "osmium extract failed"
else
	case "$input" in
	*.pbf) ;;
	*)
		pbf=$work/input.osm.pbf
		osmium cat --overwrite -o "$pbf" "$input" || die "osmium cat failed"
		;;
	esac
fi

nodes=$(osmium fileinfo --extended --get data.count.nodes "$pbf")
[ "$nodes" -gt 0 ] || die "$input: no OpenStreetMap data${bbox:+ inside $bbox}"
args=()
# tilemaker needs the extract's box; Geofabrik's files carry one in their
# header, others get the box of their data.
if [ -z "$(osmium fileinfo --get header.boxes "$pbf")" ]; then
	box=$(osmium fileinfo --extended --get data.bbox "$pbf" | tr -d '()')
	args+=(--bbox "$box")
fi
[ -z "$store" ] || args+=(--store "$store")

# The config names the sea's shapefile coastline/water_polygons.shp,
# relative to where tilemaker runs.
if [ -n "$coastline" ]; then
	ln -s "$coastline" "$work/coastline"
else
	echo "tiles: no --coastline: the sea is not drawn (tilemaker will say it cannot open coastline/water_polygons.shp)" >&2
fi

# Written beside the output and renamed into place once complete; the name
# ends in .mbtiles, which tells tilemaker to write one SQLite file.
partial=$(mktemp --suffix=.mbtiles "${output%.mbtiles}.partial-XXXXXX")
rm -f "$partial" # tilemaker makes the file itself
partial=$(realpath "$partial")
pbf=$(realpath "$pbf")
(cd "$work" && tilemaker --input "$pbf" --output "$partial" \
	--config "$here/config.json" --process "$here/process.lua" --threads "$threads" "${args[@]}") ||
	die "tilemaker failed on $input"
[ -f "$partial" ] && [ -s "$partial" ] || die "tilemaker wrote no MBTiles file"
sync "$partial"
mv -f "$partial" "$output"
partial=""
echo "tiles: wrote $output"
