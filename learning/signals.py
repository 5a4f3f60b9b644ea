"""Signals other apps listen to (the certificate service, for one).

course_completed(sender=CourseCompletion, learner, course_key, completion):
sent once per learner and course, after the transaction that recorded the
completion has committed.
"""

import django.dispatch

course_completed = django.dispatch.Signal()
