"""SDL103: a watchdog Timer started around a call that raises; cancelled only on success."""
import threading


def call_with_watchdog(fn, timeout, on_timeout):
    timer = threading.Timer(timeout, on_timeout)
    timer.start()
    result = fn()
    timer.cancel()
    timer.join()
    return result
