#!/bin/sh
# install-totem.sh sets a Debian machine up as a Punto totem: the Debian
# packages of its screen, the users, the binary, the systemd units, the
# config file, and the services enabled. Run it again to change a setting:
# it rewrites what it owns and leaves the catalog alone.
#
#   sudo deploy/install-totem.sh --portal wss://portal.example/sync \
#        --portal-key KEY --totem-id ancona-stazione --token-file ./totem.token \
#        --lat 43.6169 --lon 13.5153
#
# Run "deploy/install-totem.sh --help" for every option.
set -eu

usage() {
	cat <<'USAGE'
Usage: install-totem.sh --portal URL --portal-key KEY --totem-id ID --token-file FILE
                        --lat LAT --lon LON [options]

Required:
  --portal URL        the portal's feed, wss://HOST/sync
  --portal-key KEY    the portal's public key (what `punto portal key` prints), or a file holding it
  --totem-id ID       this totem's ID, as registered on the portal
  --token-file FILE   file holding this totem's token (copied to /etc/punto/totem.token)
  --lat LAT, --lon LON  where the totem stands (WGS84)

Options:
  --portal-ca FILE    PEM of the private CA the portal's certificate comes from
  --public-url URL    where phones reach this content (QR codes; the portal's https:// address)
  --binary FILE       the punto binary to install (default: bin/punto beside this folder)
  --catalog FILE      a first catalog (default: the demo catalog until the first sync replaces it)
  --addr ADDR         the totem's listen address (default 127.0.0.1:8080, its own screen only)
  --tty TTY           the console the screen runs on (default tty1)
  --root DIR          install into DIR as if it were / (no packages, users or systemctl)
  --dry-run           print what would be done and change nothing
  -h, --help          this help
USAGE
}

die() {
	echo "install-totem: $*" >&2
	exit 2
}

portal='' portal_key='' totem_id='' token_file='' lat='' lon='' portal_ca='' public_url=''
catalog='' addr=127.0.0.1:8080 tty=tty1 root='' dry_run=''
binary=$(dirname "$0")/../bin/punto

while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	-h | --help)
		usage
		exit 0
		;;
	--dry-run)
		dry_run=1
		shift
		continue
		;;
	--portal | --portal-key | --totem-id | --token-file | --lat | --lon | --portal-ca | --public-url | --binary | --catalog | --addr | --tty | --root)
		[ $# -ge 2 ] || die "$opt needs a value"
		val=$2
		shift 2
		;;
	*)
		die "unknown option $opt (see --help)"
		;;
	esac
	case $opt in
	--portal) portal=$val ;;
	--portal-key) portal_key=$val ;;
	--totem-id) totem_id=$val ;;
	--token-file) token_file=$val ;;
	--lat) lat=$val ;;
	--lon) lon=$val ;;
	--portal-ca) portal_ca=$val ;;
	--public-url) public_url=$val ;;
	--binary) binary=$val ;;
	--catalog) catalog=$val ;;
	--addr) addr=$val ;;
	--tty) tty=$val ;;
	--root) root=$val ;;
	esac
done

# --- check everything before changing anything ------------------------

for req in portal portal_key totem_id token_file lat lon; do
	eval "v=\$$req"
	# shellcheck disable=SC2154 # v is set by the eval above
	[ -n "$v" ] || die "--$(echo "$req" | tr _ -) is required (see --help)"
done
case $portal in
wss://?*/*) ;;
ws://*) die "--portal $portal is not encrypted: a totem needs wss://" ;;
*) die "--portal must be a wss:// URL, such as wss://portal.example/sync" ;;
esac
printf '%s' "$totem_id" | grep -Eq '^[A-Za-z0-9._:-]{1,64}$' ||
	die "--totem-id $totem_id: use letters, digits and . _ : - (at most 64)"
# between VALUE MIN MAX: VALUE is a decimal number from MIN to MAX.
between() {
	printf '%s' "$1" | grep -Eq '^-?[0-9]+(\.[0-9]+)?$' &&
		awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}
between "$lat" -90 90 || die "--lat $lat: a latitude is a number between -90 and 90"
between "$lon" -180 180 || die "--lon $lon: a longitude is a number between -180 and 180"
{ [ -f "$token_file" ] && [ -s "$token_file" ]; } || die "--token-file $token_file: no such file, or empty"
if [ -f "$portal_key" ]; then
	portal_key=$(tr -d ' \n\r' <"$portal_key")
fi
printf '%s' "$portal_key" | grep -Eq '^[A-Za-z0-9+/]{43}=$' ||
	die "--portal-key: not a portal key (the 44 characters of base64 that \`punto portal key\` prints)"
if [ -n "$portal_ca" ]; then
	grep -q 'BEGIN CERTIFICATE' "$portal_ca" 2>/dev/null || die "--portal-ca $portal_ca: no PEM certificate there"
fi
if [ -n "$public_url" ]; then
	printf '%s' "$public_url" | grep -Eq '^https?://[^"\\ ]+$' || die "--public-url must be an http or https URL"
fi
printf '%s' "$addr" | grep -Eq '^([A-Za-z0-9.-]*|\[[0-9A-Fa-f:]+\]):[0-9]+$' || die "--addr $addr: give HOST:PORT, such as 127.0.0.1:8080"
printf '%s' "$tty" | grep -Eq '^tty[0-9]+$' || die "--tty $tty: a console such as tty1"
{ [ -f "$binary" ] && [ -x "$binary" ]; } || die "--binary $binary: no such program (run make build first)"
[ -z "$catalog" ] || [ -f "$catalog" ] || die "--catalog $catalog: no such file"
if [ -n "$root" ]; then
	[ -d "$root" ] || die "--root $root: no such folder"
	root=$(cd "$root" && pwd)
elif [ -z "$dry_run" ] && [ "$(id -u)" != 0 ]; then
	die "run as root (sudo), or try --dry-run"
fi
port=${addr##*:}
here=$(cd "$(dirname "$0")" && pwd)

# --- then do it ---------------------------------------------------------

run() {
	if [ -n "$dry_run" ]; then
		echo "+ $*"
	else
		"$@"
	fi
}

# write DEST MODE: standard input to $root/DEST, replaced in one rename.
write() {
	if [ -n "$dry_run" ]; then
		echo "+ write $1 (mode $2):"
		sed 's/^/    /'
		return
	fi
	mkdir -p "$root$(dirname "$1")"
	tmp=$(mktemp "$root$1.XXXXXX")
	cat >"$tmp"
	chmod "$2" "$tmp"
	mv -f "$tmp" "$root$1"
}

# put SRC DEST MODE: a copy of a file.
put() {
	if [ -n "$dry_run" ]; then
		echo "+ copy $1 to $2 (mode $3)"
		return
	fi
	write "$2" "$3" <"$1"
}

if [ -z "$root" ]; then
	run apt-get update -qq
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		cage chromium chromium-headless-shell fonts-noto-core fonts-noto-cjk curl ca-certificates espeak-ng
	id -u punto >/dev/null 2>&1 ||
		run useradd --system --home-dir /var/lib/punto --no-create-home --shell /usr/sbin/nologin punto
	# The screen's user may use the display, the GPU and the touch screen.
	groups=''
	for g in video render input; do
		getent group "$g" >/dev/null && groups=${groups:+$groups,}$g
	done
	id -u punto-kiosk >/dev/null 2>&1 ||
		run useradd --system --create-home --home-dir /var/lib/punto-kiosk --shell /usr/sbin/nologin \
			${groups:+--groups "$groups"} punto-kiosk
fi

put "$binary" /usr/local/bin/punto 0755
put "$here/kiosk/kiosk-browser" /usr/local/lib/punto/kiosk-browser 0755
put "$here/pam/punto-kiosk" /etc/pam.d/punto-kiosk 0644
for u in punto-totem.service punto-kiosk@.service punto-kiosk-watchdog.timer; do
	put "$here/systemd/$u" "/etc/systemd/system/$u" 0644
done
sed "s/punto-kiosk@tty1.service/punto-kiosk@$tty.service/" "$here/systemd/punto-kiosk-watchdog.service" |
	write /etc/systemd/system/punto-kiosk-watchdog.service 0644

put "$token_file" /etc/punto/totem.token 0640
ca_line=
if [ -n "$portal_ca" ]; then
	put "$portal_ca" /etc/punto/portal-ca.pem 0644
	ca_line='portal-ca = "/etc/punto/portal-ca.pem"'
fi
demo_line='demo = true         # a placeholder catalog until the first sync replaces it'
db=/var/lib/punto/punto.db
if [ -n "$catalog" ]; then
	demo_line='demo = false'
	if [ -n "$dry_run" ] || [ ! -e "$root$db" ]; then
		put "$catalog" "$db" 0640
	fi
fi
write /etc/punto/totem.toml 0640 <<EOF
# Punto totem settings, written by install-totem.sh (run it again to change
# them). Every key is a flag of \`punto totem\`; a flag or a PUNTO_…
# environment variable overrides the key. See README.md, "The config file".
db = "$db"
addr = "$addr"
lat = $lat
lon = $lon
totem-id = "$totem_id"
portal = "$portal"
portal-key = "$portal_key"
token-file = "/etc/punto/totem.token"
${ca_line}
${public_url:+public-url = \"$public_url\"}
$demo_line
EOF
write /etc/punto/kiosk.env 0644 <<EOF
# The kiosk screen (kiosk-browser) and its watchdog (punto kiosk-watchdog),
# written by install-totem.sh.
PUNTO_KIOSK_URL=http://localhost:$port/?kiosk=1
PUNTO_KIOSK_DEVTOOLS_PORT=9222
PUNTO_KIOSK_UNIT=punto-kiosk@$tty.service
EOF

if [ -z "$root" ]; then
	run chown root:punto /etc/punto/totem.toml /etc/punto/totem.token
	[ -z "$catalog" ] || run chown punto:punto "$db"
	run systemctl daemon-reload
	run systemctl set-default graphical.target
	run systemctl disable "getty@$tty.service"
	run systemctl enable --now punto-totem.service
	run systemctl enable "punto-kiosk@$tty.service" punto-kiosk-watchdog.timer
	run systemctl restart "punto-kiosk@$tty.service" punto-kiosk-watchdog.timer
fi
echo "install-totem: totem $totem_id installed${root:+ under $root}${dry_run:+ (dry run: nothing changed)}"
