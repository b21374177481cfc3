from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dichvucong.documents import signing
from dichvucong.documents.models import SigningCredential


class Command(BaseCommand):
    help = (
        "Prepare document signing. With SIGNING_PROVIDER=demo: make this installation's demo CA and the "
        "signing keys of the given agencies, keeping those that exist (run it as often as you like). "
        "With SIGNING_PROVIDER=pkcs12: open the configured PKCS#12 file and show its certificate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE[=NAME]",
            help="An agency code, optionally with its name (CODE=NAME). Without a name, the name already "
            "stored, or the agency's name in the agencies table, is used.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Demo only: delete the demo CA and every demo key first, then make new ones. Documents "
            "signed before then no longer verify as trusted.",
        )

    def handle(self, *args: Any, agency: list[str], reset: bool = False, **options: Any) -> None:
        provider = signing.signing_provider_name()
        try:
            if provider == "demo":
                self._demo(agency, reset=reset)
            elif provider == "pkcs12":
                if reset:
                    raise CommandError("--reset only applies to SIGNING_PROVIDER=demo.")
                self._pkcs12(agency)
            else:
                signing.signing_provider()  # raises ImproperlyConfigured with the known names
        except signing.SigningError as exc:
            raise CommandError(str(exc)) from exc

    def _demo(self, raw_agencies: list[str], *, reset: bool) -> None:
        agencies = [self._code_and_name(raw) for raw in raw_agencies]
        with transaction.atomic():
            if reset:
                deleted, _by_model = SigningCredential.objects.all().delete()
                self.stdout.write(self.style.WARNING(f"Deleted {deleted} demo signing credential(s)."))
            known = {
                (row.agency_code, row.certificate_sha256)
                for row in SigningCredential.objects.only("agency_code", "certificate_sha256")
            }
            rows = signing.demo_setup(agencies)
        for row in rows:
            state = "kept" if (row.agency_code, row.certificate_sha256) in known else "created"
            label = "CA" if row.is_ca else row.agency_code
            self.stdout.write(
                f"{state:8} {label:16} {row.agency_name} | SHA-256 {row.certificate_sha256} | "
                f"valid until {row.not_valid_after:%Y-%m-%d}"
            )

    def _pkcs12(self, raw_agencies: list[str]) -> None:
        provider = signing.signing_provider()
        credential = provider.credential_for(agency_code="", agency_name="")
        certificate = credential.certificate
        self.stdout.write(f"subject  {certificate.subject.human_friendly}")
        self.stdout.write(f"issuer   {certificate.issuer.human_friendly}")
        self.stdout.write(f"valid    {certificate.not_valid_before:%Y-%m-%d} to {certificate.not_valid_after:%Y-%m-%d}")
        self.stdout.write(f"SHA-256  {certificate.sha256.hex()}")
        self.stdout.write(f"chain    {len(credential.chain)} more certificate(s) in the file")
        if raw_agencies:
            self.stdout.write("(--agency ignored: with pkcs12, every agency signs with this one certificate)")

    def _code_and_name(self, raw: str) -> tuple[str, str]:
        code, _sep, name = raw.partition("=")
        code, name = code.strip(), name.strip()
        if not code:
            raise CommandError(f"--agency {raw!r}: the agency code is missing.")
        if name:
            return code, name
        stored = SigningCredential.objects.filter(agency_code=code, is_ca=False).values_list("agency_name", flat=True)
        name = stored.first() or self._agency_name_from_table(code)
        if not name:
            raise CommandError(f"--agency {code}: no agency with this code is known; give its name as {code}=NAME.")
        return code, name

    @staticmethod
    def _agency_name_from_table(code: str) -> str:
        # Looked up through the app registry, not imported: the documents app takes plain strings
        # and works without the agencies app; this command only saves typing the name.
        try:
            agency_model = apps.get_model("agencies", "Agency")
        except LookupError:
            return ""
        return agency_model.objects.filter(code=code).values_list("name", flat=True).first() or ""
