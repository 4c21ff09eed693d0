#!/usr/bin/env bash
# Install the Debian packages tracker needs outside Python, if they are missing.
#
#   scripts/install-system-packages.sh [--require] PACKAGE...
#
# Installed packages are left alone. Missing ones are installed with apt-get when that
# is possible (running as root, or sudo works without a password). Otherwise the
# script says what is missing and what it is for, and exits 0 so that the caller can
# go on; with --require it exits 1 instead.
set -euo pipefail

require=0
packages=()
for arg in "$@"; do
    case "$arg" in
        --require) require=1 ;;
        -h | --help)
            sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "install-system-packages: unknown option $arg" >&2
            exit 2
            ;;
        *) packages+=("$arg") ;;
    esac
done

if [ "${#packages[@]}" -eq 0 ]; then
    exit 0
fi

purpose() {
    case "$1" in
        fonts-liberation2) echo "fonts embedded in the generated PDF documents" ;;
        libharfbuzz-subset0) echo "font subsetting for the PDF documents (WeasyPrint)" ;;
        libpango-1.0-0 | libpangoft2-1.0-0) echo "text layout for the PDF documents (WeasyPrint)" ;;
        chromium) echo "the browser of the end-to-end tests (Playwright)" ;;
        libatomic1) echo "the Node.js runtime Playwright ships to drive the browser" ;;
        fonts-dejavu-core) echo "a second font the PDF tests use to prove a stray font is caught" ;;
        poppler-utils) echo "pdftoppm, to read scanned PDFs; pdffonts and pdftotext for the tests" ;;
        tesseract-ocr) echo "reading scanned directives (OCR)" ;;
        tesseract-ocr-vie) echo "the Vietnamese model of the OCR" ;;
        python3-venv) echo "creating the Python virtual environment (.venv)" ;;
        postgresql) echo "the PostgreSQL server the CI suite runs on" ;;
        postgresql-client) echo "psql and pg_isready" ;;
        swift-proxy | swift-account | swift-container | swift-object)
            echo "the S3-compatible object store the storage tests run against (Swift, s3api)" ;;
        *) echo "needed by tracker" ;;
    esac
}

# Print the packages with what they are for, one a line.
describe() {
    local pkg
    for pkg in "$@"; do
        printf '  %-22s %s\n' "$pkg" "$(purpose "$pkg")" >&2
    done
}

# Give up: fail with --require, otherwise carry on without the packages.
give_up() {
    if [ "$require" -eq 1 ]; then
        exit 1
    fi
    echo "Continuing without them; the features above will not work until they are installed." >&2
    exit 0
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-system-packages: this is not a Debian-based system (no dpkg)." >&2
    echo "Install the equivalents of these Debian packages yourself:" >&2
    describe "${packages[@]}"
    give_up
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

sudo=()
apt_usable=0
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt_usable=1
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
        apt_usable=1
    fi
fi

if [ "$apt_usable" -eq 0 ]; then
    echo "install-system-packages: these Debian packages are missing and apt-get cannot be" >&2
    echo "used here (not root, and sudo needs a password):" >&2
    describe "${missing[@]}"
    echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
    give_up
fi

# apt-get's progress goes to the set-up log; the screen gets one line.
log=${SETUP_LOG:-/dev/null}
echo "== installing system packages: ${missing[*]} (log: $log)"
if { "${sudo[@]}" apt-get update -qq \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1; then
    exit 0
fi

[ "$log" = /dev/null ] || tail -n 30 "$log" >&2
echo "install-system-packages: apt-get could not install:" >&2
describe "${missing[@]}"
give_up
