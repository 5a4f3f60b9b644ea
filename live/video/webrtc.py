"""The built-in WebRTC mesh: what the browser needs to open peer connections.

Signalling travels over the session's websocket (`rtc.*` frames,
docs/live-protocol.md); media go peer to peer. A mesh sends every camera to
every other peer, so the number of cameras is capped
(settings.LIVE_WEBRTC_MAX_VIDEO; 2–4 work well, 6 strains a small laptop).
"""

from __future__ import annotations

from django.conf import settings


def ice_servers() -> list[dict]:
    """settings.LIVE_ICE_SERVERS as RTCPeerConnection's `iceServers`: only the
    keys a browser understands, so a typo in the setting is not passed on."""
    servers = []
    for entry in settings.LIVE_ICE_SERVERS or []:
        if not isinstance(entry, dict) or not entry.get("urls"):
            continue
        servers.append({key: entry[key] for key in ("urls", "username", "credential") if key in entry})
    return servers


def max_video() -> int:
    return max(0, int(settings.LIVE_WEBRTC_MAX_VIDEO))
