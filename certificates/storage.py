"""Where certificate PDFs live: the private "certificates" storage of
settings.STORAGES (never served as media; see the download view)."""

from django.core.files.storage import storages


def certificate_storage():
    return storages["certificates"]
