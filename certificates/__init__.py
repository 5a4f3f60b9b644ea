"""Certificates (issue: certificate service): rules, issuing on
`learning.signals.course_completed`, PDF rendering, verification and partner
tracking. Not built yet; see DESIGN.md."""
