"""
Addresses of connection ends and listening ports: what C{getHost()} and
C{getPeer()} return.
"""

from torsion.internet._address import HostnameAddress, IPv4Address, IPv6Address, UNIXAddress
from torsion.internet._itransport import IAddress
from torsion.python._publish import publish as _publish

__all__ = ["HostnameAddress", "IAddress", "IPv4Address", "IPv6Address", "UNIXAddress"]

_publish(globals())
