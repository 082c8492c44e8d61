"""`manage.py powerschool_sandbox`: run the stand-in PowerSchool over HTTP until Ctrl-C.

The sandbox keeps its own SQLite store and never touches the product database, so the command needs neither
migrations nor system checks.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sandbox import generator, plugin
from sandbox.app import SandboxApp
from sandbox.faults import Faults
from sandbox.profiles import profile_named
from sandbox.server import serve
from sandbox.store import Store


class Command(BaseCommand):
    help = "Serve a generated PowerSchool district (OAuth, v1, table, PowerQuery, attendance APIs) over HTTP."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
        parser.add_argument(
            "--db",
            type=Path,
            default=Path(settings.VAR_DIR) / "powerschool-sandbox.sqlite3",
            help="the sandbox's store; a district is generated only when it is empty",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--students", type=int, default=2000)
        parser.add_argument("--profile", help="PowerSchool version to behave like, e.g. 12 or 25.7")
        parser.add_argument("--faults", default="", help="e.g. error_rate=0.2,latency_ms=300 (see sandbox/faults.py)")
        parser.add_argument("--client-id")
        parser.add_argument("--client-secret")
        parser.add_argument("--plugin-xml", type=Path, help="install this plugin.xml's name and field access")
        parser.add_argument(
            "--no-single-element-quirk",
            action="store_true",
            help="send one-item lists as arrays instead of PowerSchool's single object",
        )
        parser.add_argument("--token-lifetime", type=int, help="access token lifetime in seconds")

    def handle(self, *args, **options):
        try:
            faults = Faults(options["faults"])
            store = self.open_store(options)
        except ValueError as error:
            raise CommandError(str(error)) from error
        app = SandboxApp(store, faults=faults)
        serve(app, options["host"], options["port"], ready=lambda server: self.announce(server, store))
        store.close()
        self.stdout.write("PowerSchool sandbox stopped.")

    def open_store(self, options):
        options["db"].parent.mkdir(parents=True, exist_ok=True)
        store = Store(options["db"])
        profile = options["profile"]
        if profile is not None:
            profile_named(profile)
        generator.load_or_generate(
            store,
            seed=options["seed"],
            students=options["students"],
            profile=profile or "25.7",
            today=datetime.date.today(),
            client_id=options["client_id"],
            client_secret=options["client_secret"],
        )
        self.apply_options(store, options)
        return store

    def apply_options(self, store, options):
        if options["profile"] is not None:
            store.set_setting("profile", options["profile"])
        store.set_setting("single_element_quirk", not options["no_single_element_quirk"])
        if options["plugin_xml"] is not None:
            plugin.install_plugin(store, options["plugin_xml"].read_text())
        updates = {
            "client_id": options["client_id"],
            "client_secret": options["client_secret"],
            "token_lifetime_s": options["token_lifetime"],
        }
        with store.transaction() as conn:
            for column, value in updates.items():
                if value is not None:
                    conn.execute(f"UPDATE sandbox_plugin SET {column} = ?", (value,))

    def announce(self, server, store):
        credentials = store.query_one("SELECT client_id, client_secret FROM sandbox_plugin LIMIT 1")
        students = store.query_one("SELECT COUNT(*) AS n FROM students")["n"]
        self.stdout.write(f"PowerSchool sandbox at {server.base_url} ({students} students, store {store.path})")
        self.stdout.write(f"Client ID: {credentials['client_id']}")
        self.stdout.write(f"Client secret: {credentials['client_secret']}")
        self.stdout.write("Serving until Ctrl-C.")
        self.stdout.flush()
