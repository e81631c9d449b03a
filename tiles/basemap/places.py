#!/usr/bin/env python3
"""Place names for Punto's offline basemap, from GeoNames.

Reads the cities of Debian's libgeonames (GeoNames' cities of 15,000 people
or more, with their names in many languages as gettext catalogs, CC BY 4.0)
inside a box, and prints them as GeoJSON points: `name` is the Latin name
(Italian where GeoNames has one, else its own), `name_XX` the name in
language XX where it differs, `pop` the population.

usage: places.py MINLON,MINLAT,MAXLON,MAXLAT LANG...

The library localises names by the process's locale, read once, so each
language is read in a child process of its own (--names).
"""
import ctypes
import json
import os
import subprocess
import sys


def cities():
    lib = ctypes.CDLL("libgeonames.so.0")
    lib.geonames_get_city.restype = ctypes.c_void_p
    for f in ("name", "country_code"):
        fn = getattr(lib, "geonames_city_get_" + f)
        fn.restype, fn.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    for f in ("latitude", "longitude"):
        fn = getattr(lib, "geonames_city_get_" + f)
        fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_void_p]
    lib.geonames_city_get_population.restype = ctypes.c_uint
    lib.geonames_city_get_population.argtypes = [ctypes.c_void_p]
    for i in range(lib.geonames_get_n_cities()):
        c = lib.geonames_get_city(i)
        yield {
            "name": lib.geonames_city_get_name(c).decode("utf-8"),
            "cc": lib.geonames_city_get_country_code(c).decode("ascii"),
            "lat": lib.geonames_city_get_latitude(c),
            "lon": lib.geonames_city_get_longitude(c),
            "pop": lib.geonames_city_get_population(c),
        }


# Words that make a name an area's, not a town's (GeoNames' catalogs give
# some towns the name of their province or district in some languages).
AREA_WORDS = ("Provincia", "Province", "Provinz", "Diocese", "bishopric", "省", "地区", "بلدية", "أبرشية")


def is_town(c):
    """A populated place: GeoNames lists a few entities (a bishopric) with
    no population among its cities."""
    return c["pop"] > 0


def town_name(name):
    """The name, or None when it names an area rather than the town."""
    return None if any(w in name for w in AREA_WORDS) else name


def names(lang):
    """The name of every city in lang, in the library's order."""
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE={"zh": "zh_CN:zh"}.get(lang, lang) if lang else "")
    if not lang:
        env["LC_ALL"] = "C"
    out = subprocess.run([sys.executable, __file__, "--names"], env=env, check=True, capture_output=True, text=True).stdout
    return out.split("\n")[:-1]


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--names":
        import locale
        locale.setlocale(locale.LC_ALL, "")
        for c in cities():
            print(c["name"].replace("\n", " "))
        return
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    west, south, east, north = (float(v) for v in sys.argv[1].split(","))
    langs = sys.argv[2:]
    base = list(cities())
    own = names("")
    italian = names("it")
    local = {lang: names(lang) for lang in langs}
    features = []
    for i, c in enumerate(base):
        if not (west <= c["lon"] <= east and south <= c["lat"] <= north) or not is_town(c):
            continue
        # Italian for Italy, San Marino and the Vatican; elsewhere GeoNames' own.
        name = italian[i] if c["cc"] in ("IT", "SM", "VA") else own[i]
        props = {"name": name}
        for lang in langs:
            here = town_name(local[lang][i])
            if here is not None and (here not in (name, own[i]) or (lang == "it" and here != name)):
                props["name_" + lang] = here
        props["pop"] = c["pop"]
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [round(c["lon"], 4), round(c["lat"], 4)]}})
    # Largest first, then by name: the order labels are placed in, and a
    # stable file from one build to the next.
    features.sort(key=lambda f: (-f["properties"]["pop"], f["properties"]["name"]))
    json.dump({"type": "FeatureCollection", "features": features}, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
