"""Models of the courses app.

The H5P package model lives in `courses/h5p/` with its validation and
storage, and the course page types (Course → Module → Lesson) in
`courses/pages.py`; both are imported here so Django (migrations, the admin,
content types) finds them under the `courses` app.
"""

from .h5p.models import H5PPackage  # noqa: F401 (registered with the courses app)
from .pages import (  # noqa: F401 (registered with the courses app)
    Audience,
    CourseIndexPage,
    CoursePage,
    CourseTrainer,
    LessonPage,
    ModulePage,
)
