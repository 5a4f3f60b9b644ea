"""What accounts tell the apps above them (they never import those apps)."""

from django.dispatch import Signal

# Sent with `user` after a person saved a changed given or family name
# (inside the saving transaction). certificates prints it on the
# certificates that waited for it (certificates.receivers).
names_changed = Signal()
