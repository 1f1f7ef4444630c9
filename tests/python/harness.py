"""What both official-SDK drivers share: reading URL KEY SECRET from the command
line, connecting a client class to the fake, registering checks and running them.

Prints one line per check and a closing 'NAME: N passed, N failed'; exits 1 on
failure.
"""

import base64
import sys
import traceback
from urllib.parse import urlparse


class Harness:
    def __init__(self, connection_class):
        self.url, self.key, self.secret = sys.argv[1:4]
        self.parsed = urlparse(self.url)
        self.connection_class = connection_class
        self.checks = []

    def connect(self, api_secret=None):
        """A client of the fake; with `api_secret`, one that signs wrongly."""
        return self.connection_class(
            self.key,
            api_secret or self.secret,
            host=self.parsed.hostname,
            port=self.parsed.port,
            use_ssl=False,
        )

    def wrong_secret(self):
        return self.connect(base64.b64encode(b"not the secret").decode())

    def check(self, fn):
        self.checks.append(fn)
        return fn

    def run(self, name):
        passed = failed = 0
        for fn in self.checks:
            try:
                fn()
            except Exception:
                failed += 1
                print("FAIL", fn.__name__)
                traceback.print_exc()
            else:
                passed += 1
                print("ok  ", fn.__name__)
        print("%s: %d passed, %d failed" % (name, passed, failed))
        sys.exit(1 if failed else 0)
