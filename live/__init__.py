"""Live sessions over Django Channels: scheduling, join codes, the websocket
consumer, lobby, chat, Q&A, polls, moderation, safeguarding, server-recorded
attendance and video providers. See docs/live-protocol.md."""
