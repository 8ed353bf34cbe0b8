# Shared set-up for scripts/run and scripts/test: a virtual environment in .venv with the
# project installed; reinstalled only when a pyproject.toml changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

ensure_venv() {
    local extras=$1
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating the virtual environment in $VENV ..." >&2
        "$PYTHON" -m venv "$VENV"
    fi
    local digest
    digest=$(cat pyproject.toml examples/*/pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)
    local stamp="$VENV/.installed-$extras-$digest"
    if [ ! -f "$stamp" ]; then
        echo "Installing social-missions ($extras) into $VENV ..." >&2
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        local targets=(-e ".[$extras]")
        if [ "$extras" = "test" ]; then
            # The example third-party plugin, installed through its entry point.
            for plugin in examples/*/pyproject.toml; do
                [ -f "$plugin" ] && targets+=(-e "$(dirname "$plugin")")
            done
        fi
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${targets[@]}"
        rm -f "$VENV"/.installed-"$extras"-*
        touch "$stamp"
    fi
}

# The browser backend and the browser tests use the system Chromium (Playwright's own browser
# download is not used). Install Debian's package where it is missing and we may.
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian's chromium for the browser tests ..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is not installed and cannot be installed here: browser tests will skip." >&2
    fi
}
