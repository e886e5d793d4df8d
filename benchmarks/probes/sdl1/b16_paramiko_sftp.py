"""Open an SFTP session with paramiko's low-level Transport.

The common recipe (and the shape of netconf-client's ``connect_ssh`` and of
several deployment tools): ``start_client()`` starts the Transport's thread;
a failed ``auth_password`` raises AuthenticationException and the started
Transport (a running Thread holding the open socket) is leaked.
"""

import socket

import paramiko


def open_sftp(host, username, password, port=22, timeout=10.0):
    sock = socket.create_connection((host, port), timeout=timeout)
    transport = paramiko.Transport(sock)
    transport.start_client(timeout=timeout)
    transport.auth_password(username, password)
    sftp = paramiko.SFTPClient.from_transport(transport)
    return transport, sftp


def upload(host, username, password, local, remote):
    transport, sftp = open_sftp(host, username, password)
    try:
        sftp.put(local, remote)
    finally:
        sftp.close()
        transport.close()
