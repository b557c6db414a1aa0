"""`make run`'s demo step: once the platform is ready, seed the living demo (app/demo) and print its logins.

On by default in development; `LIBERTUM_DEMO=0` turns it off, and it never runs with another LIBERTUM_ENV.
It runs beside the platform (a thread waiting on `flask demo seed`), so the site is usable meanwhile; the
command itself does nothing once the demo is complete, and then only prints the logins again.
"""

from __future__ import annotations

import subprocess
import sys
import threading

from infra.tools import ROOT

OFF = ("0", "false", "no", "off")


def enabled(environ: dict[str, str]) -> bool:
    return (environ.get("LIBERTUM_DEMO", "1").strip().lower() not in OFF
            and environ.get("LIBERTUM_ENV", "development") == "development")


def where(env: dict[str, str], web_port: int) -> str:
    """The lines saying where to sign in and where the stand-ins (mail, SMS, KYC, e-signature) are."""
    sandbox = f"http://127.0.0.1:{env.get('SANDBOX_HTTP_PORT', '8025')}/"
    return (f"Sign in at http://127.0.0.1:{web_port}/auth/login with a demo login and the demo password "
            f"{env.get('DEMO_PASSWORD', '(DEMO_PASSWORD in var/secrets.env)')}\n"
            f"Mail, SMS, KYC and e-signature sandboxes: {sandbox}")


def start(env: dict[str, str], web_port: int) -> threading.Thread | None:
    """Seed in the background (or say the demo is off); returns the thread, None when off."""
    if not enabled(env):
        print(f"demo: off (LIBERTUM_DEMO={env.get('LIBERTUM_DEMO', '')}, LIBERTUM_ENV={env.get('LIBERTUM_ENV')})\n"
              f"Mail, SMS, KYC and e-signature sandboxes: http://127.0.0.1:{env.get('SANDBOX_HTTP_PORT', '8025')}/",
              flush=True)
        return None
    thread = threading.Thread(target=_seed, args=(env, web_port), name="demo", daemon=True)
    thread.start()
    return thread


def _seed(env: dict[str, str], web_port: int) -> None:
    print("demo: seeding (the first time takes a minute or two; the site is usable meanwhile) ...", flush=True)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "seed"], cwd=ROOT, env=env,
                            check=False)
    if result.returncode != 0:
        print(f"demo: seeding stopped (exit {result.returncode}; see the lines above). The platform runs on; "
              "the next `make run` resumes the demo where it stopped.", file=sys.stderr, flush=True)
        return
    print(f"\n{where(env, web_port)}\n", flush=True)
