"""Payment gateways: the protocols spoken to banks, behind one registry (CONVENTIONS #6, DESIGN §8).

- base.py       the dataclasses every gateway speaks in and the abstract `Gateway`
- vnpay.py      the VNPay protocol (version 2.1.0, HMAC-SHA512), used by "vnpay" and "sandbox"
- paygov.py     the national payment platform (PayGov), SHA-256 over |-joined fields
- registry.py   which gateways exist, built from settings: `gateway(code)`, `available_gateways()`
- sandbox.py, sandbox_views.py, sandbox_urls.py
                the sandbox bank served by the app in development: it plays the bank's side of the
                VNPay protocol (payment page, signed redirect, IPN, transaction query)

Nothing here has models: the payments app records what the gateways say.
"""
