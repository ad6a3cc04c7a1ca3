# A config file with a typo that Python itself rejects.
import os

workers = 4
bind = "0.0.0.0:" + os.environ.get("PORT", "8000"
timeout = 30
