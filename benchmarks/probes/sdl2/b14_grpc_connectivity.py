"""Channel connectivity polling in grpc's `_channel.py` style.

grpc keeps the state in a plain object and drives it from module-level functions
that receive it as `state` (`_poll_connectivity(state, channel, ...)`,
`_subscribe(state, callback, ...)`). Here the polling thread walks
`state.callbacks` without `state.lock`, while `subscribe()` on an application
thread appends under it.
"""
import threading


class _ChannelConnectivityState:
    def __init__(self, channel):
        self.lock = threading.RLock()
        self.channel = channel
        self.polling = False
        self.connectivity = None
        self.try_to_connect = False
        self.callbacks = []


def _deliver(state, connectivity, callbacks):
    for callback in callbacks:
        try:
            callback(connectivity)
        except Exception:
            pass


def _poll_connectivity(state, channel, initial_try_to_connect):
    try_to_connect = initial_try_to_connect
    while True:
        connectivity = channel.check_connectivity_state(try_to_connect)
        if connectivity != state.connectivity:
            state.connectivity = connectivity
            # BUG: iterates the callbacks without state.lock.
            _deliver(state, connectivity, [cb for cb in state.callbacks])
        with state.lock:
            if not state.callbacks:
                state.polling = False
                return
            try_to_connect = state.try_to_connect
            state.try_to_connect = False
        channel.watch_connectivity_state(connectivity, 0.2)


def _subscribe(state, callback, try_to_connect):
    with state.lock:
        if not state.callbacks and not state.polling:
            thread = threading.Thread(
                target=_poll_connectivity,
                args=(state, state.channel, bool(try_to_connect)),
                daemon=True,
            )
            thread.start()
            state.polling = True
        state.callbacks.append(callback)
        state.try_to_connect |= bool(try_to_connect)


def _unsubscribe(state, callback):
    with state.lock:
        state.callbacks.remove(callback)


class Channel:
    def __init__(self, channel):
        self._channel = channel
        self._connectivity_state = _ChannelConnectivityState(channel)

    def subscribe(self, callback, try_to_connect=False):
        _subscribe(self._connectivity_state, callback, try_to_connect)

    def unsubscribe(self, callback):
        _unsubscribe(self._connectivity_state, callback)
