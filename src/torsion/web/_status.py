# HTTP status codes and their reason phrases, as plain integers and bytes.
#
# Every code that RFC 9110 ("HTTP Semantics") defines has a constant here,
# together with the codes other RFCs register and that servers meet in
# practice (WebDAV's 207 and 507, 429 and friends from RFC 6585, 103 Early
# Hints, 451).  Each constant carries Twisted's name where Twisted has one
# (NOT_ALLOWED, MULTIPLE_CHOICE, REQUEST_ENTITY_TOO_LARGE, ...), so ported
# code keeps working, plus the RFC 9110 name as an alias where the RFC renamed
# it (METHOD_NOT_ALLOWED, MULTIPLE_CHOICES, CONTENT_TOO_LARGE, ...).
#
# RESPONSES maps each code to the reason phrase a server puts on its status
# line.  The phrases are RFC 9110's ("Request Timeout", "Content Too Large"),
# not the RFC 2616 spellings Twisted still sends ("Request Time-out"); a
# client must ignore the phrase anyway (RFC 9112 section 4).
#
# torsion.web.http re-exports all of this; the resource layer imports it from
# here so that it does not depend on the HTTP server.
from __future__ import annotations

from typing import Final

# 1xx: informational
CONTINUE: Final = 100
_CONTINUE: Final = CONTINUE
SWITCHING: Final = 101
SWITCHING_PROTOCOLS: Final = SWITCHING
PROCESSING: Final = 102
EARLY_HINTS: Final = 103

# 2xx: success
OK: Final = 200
CREATED: Final = 201
ACCEPTED: Final = 202
NON_AUTHORITATIVE_INFORMATION: Final = 203
NO_CONTENT: Final = 204
RESET_CONTENT: Final = 205
PARTIAL_CONTENT: Final = 206
MULTI_STATUS: Final = 207
ALREADY_REPORTED: Final = 208
IM_USED: Final = 226

# 3xx: redirection
MULTIPLE_CHOICE: Final = 300
MULTIPLE_CHOICES: Final = MULTIPLE_CHOICE
MOVED_PERMANENTLY: Final = 301
FOUND: Final = 302
SEE_OTHER: Final = 303
NOT_MODIFIED: Final = 304
USE_PROXY: Final = 305
TEMPORARY_REDIRECT: Final = 307
PERMANENT_REDIRECT: Final = 308

# 4xx: client errors
BAD_REQUEST: Final = 400
UNAUTHORIZED: Final = 401
PAYMENT_REQUIRED: Final = 402
FORBIDDEN: Final = 403
NOT_FOUND: Final = 404
NOT_ALLOWED: Final = 405
METHOD_NOT_ALLOWED: Final = NOT_ALLOWED
NOT_ACCEPTABLE: Final = 406
PROXY_AUTH_REQUIRED: Final = 407
PROXY_AUTHENTICATION_REQUIRED: Final = PROXY_AUTH_REQUIRED
REQUEST_TIMEOUT: Final = 408
CONFLICT: Final = 409
GONE: Final = 410
LENGTH_REQUIRED: Final = 411
PRECONDITION_FAILED: Final = 412
REQUEST_ENTITY_TOO_LARGE: Final = 413
CONTENT_TOO_LARGE: Final = REQUEST_ENTITY_TOO_LARGE
REQUEST_URI_TOO_LONG: Final = 414
URI_TOO_LONG: Final = REQUEST_URI_TOO_LONG
UNSUPPORTED_MEDIA_TYPE: Final = 415
REQUESTED_RANGE_NOT_SATISFIABLE: Final = 416
RANGE_NOT_SATISFIABLE: Final = REQUESTED_RANGE_NOT_SATISFIABLE
EXPECTATION_FAILED: Final = 417
IM_A_TEAPOT: Final = 418
MISDIRECTED_REQUEST: Final = 421
UNPROCESSABLE_CONTENT: Final = 422
UNPROCESSABLE_ENTITY: Final = UNPROCESSABLE_CONTENT
LOCKED: Final = 423
FAILED_DEPENDENCY: Final = 424
TOO_EARLY: Final = 425
UPGRADE_REQUIRED: Final = 426
PRECONDITION_REQUIRED: Final = 428
TOO_MANY_REQUESTS: Final = 429
REQUEST_HEADER_FIELDS_TOO_LARGE: Final = 431
UNAVAILABLE_FOR_LEGAL_REASONS: Final = 451

# 5xx: server errors
INTERNAL_SERVER_ERROR: Final = 500
NOT_IMPLEMENTED: Final = 501
BAD_GATEWAY: Final = 502
SERVICE_UNAVAILABLE: Final = 503
GATEWAY_TIMEOUT: Final = 504
HTTP_VERSION_NOT_SUPPORTED: Final = 505
VARIANT_ALSO_NEGOTIATES: Final = 506
INSUFFICIENT_STORAGE_SPACE: Final = 507
INSUFFICIENT_STORAGE: Final = INSUFFICIENT_STORAGE_SPACE
LOOP_DETECTED: Final = 508
NOT_EXTENDED: Final = 510
NETWORK_AUTHENTICATION_REQUIRED: Final = 511

RESPONSES: Final[dict[int, bytes]] = {
    CONTINUE: b"Continue",
    SWITCHING: b"Switching Protocols",
    PROCESSING: b"Processing",
    EARLY_HINTS: b"Early Hints",
    OK: b"OK",
    CREATED: b"Created",
    ACCEPTED: b"Accepted",
    NON_AUTHORITATIVE_INFORMATION: b"Non-Authoritative Information",
    NO_CONTENT: b"No Content",
    RESET_CONTENT: b"Reset Content",
    PARTIAL_CONTENT: b"Partial Content",
    MULTI_STATUS: b"Multi-Status",
    ALREADY_REPORTED: b"Already Reported",
    IM_USED: b"IM Used",
    MULTIPLE_CHOICE: b"Multiple Choices",
    MOVED_PERMANENTLY: b"Moved Permanently",
    FOUND: b"Found",
    SEE_OTHER: b"See Other",
    NOT_MODIFIED: b"Not Modified",
    USE_PROXY: b"Use Proxy",
    TEMPORARY_REDIRECT: b"Temporary Redirect",
    PERMANENT_REDIRECT: b"Permanent Redirect",
    BAD_REQUEST: b"Bad Request",
    UNAUTHORIZED: b"Unauthorized",
    PAYMENT_REQUIRED: b"Payment Required",
    FORBIDDEN: b"Forbidden",
    NOT_FOUND: b"Not Found",
    NOT_ALLOWED: b"Method Not Allowed",
    NOT_ACCEPTABLE: b"Not Acceptable",
    PROXY_AUTH_REQUIRED: b"Proxy Authentication Required",
    REQUEST_TIMEOUT: b"Request Timeout",
    CONFLICT: b"Conflict",
    GONE: b"Gone",
    LENGTH_REQUIRED: b"Length Required",
    PRECONDITION_FAILED: b"Precondition Failed",
    REQUEST_ENTITY_TOO_LARGE: b"Content Too Large",
    REQUEST_URI_TOO_LONG: b"URI Too Long",
    UNSUPPORTED_MEDIA_TYPE: b"Unsupported Media Type",
    REQUESTED_RANGE_NOT_SATISFIABLE: b"Range Not Satisfiable",
    EXPECTATION_FAILED: b"Expectation Failed",
    IM_A_TEAPOT: b"I'm a teapot",
    MISDIRECTED_REQUEST: b"Misdirected Request",
    UNPROCESSABLE_CONTENT: b"Unprocessable Content",
    LOCKED: b"Locked",
    FAILED_DEPENDENCY: b"Failed Dependency",
    TOO_EARLY: b"Too Early",
    UPGRADE_REQUIRED: b"Upgrade Required",
    PRECONDITION_REQUIRED: b"Precondition Required",
    TOO_MANY_REQUESTS: b"Too Many Requests",
    REQUEST_HEADER_FIELDS_TOO_LARGE: b"Request Header Fields Too Large",
    UNAVAILABLE_FOR_LEGAL_REASONS: b"Unavailable For Legal Reasons",
    INTERNAL_SERVER_ERROR: b"Internal Server Error",
    NOT_IMPLEMENTED: b"Not Implemented",
    BAD_GATEWAY: b"Bad Gateway",
    SERVICE_UNAVAILABLE: b"Service Unavailable",
    GATEWAY_TIMEOUT: b"Gateway Timeout",
    HTTP_VERSION_NOT_SUPPORTED: b"HTTP Version Not Supported",
    VARIANT_ALSO_NEGOTIATES: b"Variant Also Negotiates",
    INSUFFICIENT_STORAGE_SPACE: b"Insufficient Storage",
    LOOP_DETECTED: b"Loop Detected",
    NOT_EXTENDED: b"Not Extended",
    NETWORK_AUTHENTICATION_REQUIRED: b"Network Authentication Required",
}
