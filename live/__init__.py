"""Live sessions (issue: live online sessions over Django Channels): scheduling,
join codes, the websocket consumer, lobby, chat, Q&A, polls, moderation,
safeguarding and server-recorded attendance. Not built yet; see DESIGN.md."""
