"""Video providers of a live session's room.

- `webrtc`: the built-in mesh, signalled over the session's websocket; the
  server only hands out ICE servers (webrtc.py).
- `bbb`: BigBlueButton; a join URL is a bearer credential, so it is minted
  per participant, just in time, by the `live:video` view (bbb.py).
- `jitsi`: an unguessable room per session, with a signed JWT when the Jitsi
  server requires one (jitsi.py).
"""
