#!/usr/bin/python3
"""Creates tasks with one reminder each at the same instant, through the API, as fast as it
can (16 threads, keep-alive connections): bench/reminders.sh's load.

Usage: reminderload.py BASE_URL TOKENS_FILE COUNT REMINDER_AT
TOKENS_FILE has one "access-token ..." line per user; tasks go round the users. Prints how many
were created (201) and how long it took.
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def main():
    base, tokens_file, count, at = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    tokens = [line.split()[0] for line in open(tokens_file) if line.strip()]
    url = urlparse(base)
    created = [0]
    failed = [0]
    lock = threading.Lock()
    next_index = [0]

    def worker():
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= count:
                break
            body = json.dumps({"title": "reminder bench %d" % index,
                               "due_at": "2030-01-01T09:00:00Z",
                               "reminders": [{"at": at}]})
            connection.request("POST", "/api/v1/tasks", body,
                               {"Content-Type": "application/json",
                                "Authorization": "Bearer " + tokens[index % len(tokens)]})
            response = connection.getresponse()
            response.read()
            with lock:
                if response.status == 201:
                    created[0] += 1
                else:
                    failed[0] += 1

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("%d %d %.1f" % (created[0], failed[0], time.time() - started))


if __name__ == "__main__":
    main()
