"""Models of the courses app.

The H5P package model lives in `courses/h5p/` with its validation and
storage; it is imported here so Django (migrations, the admin, content types)
finds it under the `courses` app. Course page types (Course → Module →
Lesson) will be added to this module.
"""

from .h5p.models import H5PPackage  # noqa: F401 (registered with the courses app)
