"""`manage.py certificates_rerender`: PDFs rendered again and stored, one
partner or all, in worker processes; bad arguments refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from certificates.models import Certificate
from certificates.services import certificate_reissue

from .conftest import issue, make_partner, make_user


def _pdf_names():
    return dict(Certificate.objects.values_list("pk", "pdf"))


@pytest.mark.django_db
def test_one_partner_rerendered_in_process(partner, holder, capsys):
    other = make_partner("NL")
    mine = issue(holder, partner)
    theirs = issue(make_user(partner=other), other)
    old = certificate_reissue(certificate=issue(make_user(partner=partner), partner, title="Old"), by=None)
    del old
    call_command("certificates_rerender", partner=partner.slug, workers=1)
    names = _pdf_names()
    assert names[mine.pk] and not names[theirs.pk]
    superseded = Certificate.objects.get(status=Certificate.Status.SUPERSEDED)
    assert not names[superseded.pk]
    assert "Re-rendered 2 certificate PDFs; 0 failed." in capsys.readouterr().out
    mine.refresh_from_db()
    with mine.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


# serialized_rollback, as test_services' concurrency test: the flush after
# this test leaves the tables empty for the next migrated-state reload.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_processes_render_and_store_every_pdf(partner):
    """Two worker processes (forked, each with its own connection) against
    committed data; the parent's connection still works afterwards."""
    from certificates import rerender

    certificates = [issue(make_user(partner=partner), partner, title=f"Course {n}") for n in range(5)]
    Certificate.objects.update(pdf="")
    seen = []
    result = rerender.certificates_rerender(partner=partner, workers=2, progress=lambda done, total: seen.append((done, total)))
    assert (result.rendered, result.failed) == (5, 0)
    assert seen[-1] == (5, 5)
    for certificate in certificates:
        certificate.refresh_from_db()
        assert certificate.pdf.name.startswith(f"pdf/{certificate.code}")
        assert certificate.pdf.storage.exists(certificate.pdf.name)


@pytest.mark.django_db
def test_a_failing_render_is_counted_and_reported(partner, holder, monkeypatch):
    issue(holder, partner)

    def broken(certificate):
        raise RuntimeError("template error")

    monkeypatch.setattr("certificates.rerender.store_certificate_pdf", broken)
    with pytest.raises(CommandError, match="1 certificates could not be rendered"):
        call_command("certificates_rerender", workers=1)


@pytest.mark.django_db
@pytest.mark.parametrize("arguments, message", [({"partner": "no-such"}, "No partner"), ({"workers": 0}, "at least 1")])
def test_bad_arguments(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("certificates_rerender", **arguments)
