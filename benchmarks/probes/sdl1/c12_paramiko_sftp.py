"""paramiko SFTP session that closes the Transport when auth fails."""

import socket

import paramiko


def open_sftp(host, username, password, port=22, timeout=10.0):
    sock = socket.create_connection((host, port), timeout=timeout)
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=timeout)
        transport.auth_password(username, password)
        sftp = paramiko.SFTPClient.from_transport(transport)
    except BaseException:
        transport.close()
        raise
    return transport, sftp
