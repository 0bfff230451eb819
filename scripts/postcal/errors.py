"""The root of postcal's own exceptions, caught once, at the command line's error boundary.

::

    PostcalError
     ├── ClockError              --now / POSTCAL_NOW is not a moment
     ├── ScaffoldError           `postcal new` cannot place the post
     ├── MissingSecret           a secret postcal.yml names is not in the environment
     ├── GitError                git refused (not a lost push race: that is an outcome)
     ├── PublishAbort            the run cannot start or continue
     ├── NotPublishable          a post cannot go out as it is (media gone, outside the repo)
     ├── UnsupportedPlatform     no adapter for that network yet
     └── PublishError            one request or delivery step failed (classified; the
                                 protocol records it and never lets it reach the boundary)

Problems in the user's files are not exceptions: they are ``Problem`` values, collected and
reported together.
"""

from __future__ import annotations


class PostcalError(Exception):
    """Something postcal cannot do; the message says what to do next."""
