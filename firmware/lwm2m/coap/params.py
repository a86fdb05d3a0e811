# CoAP transmission parameters (RFC 7252 section 4.8), every one a setting.
# Times are in milliseconds. The derived values (4.8.2) follow from the base
# ones unless given explicitly: an NB-IoT link may want ack_timeout=10000.
# Everything is computed here: to change a base value, make a new Params.
# ack_random_factor, default_leisure, probing_rate (no multicast here),
# max_latency and processing_delay are inputs only: the endpoint reads what
# follows from them, so they are not kept (each attribute costs heap).


class Params:
    def __init__(
        self,
        ack_timeout=2000,
        ack_random_factor=1.5,
        max_retransmit=4,
        nstart=1,
        default_leisure=5000,
        probing_rate=1,
        max_latency=100000,
        processing_delay=None,
        max_transmit_span=None,
        max_transmit_wait=None,
        exchange_lifetime=None,
        non_lifetime=None,
        response_timeout=None,
        max_body=4096,
        dedup_size=16,
        block_cache=2,
    ):
        self.ack_timeout = ack_timeout
        # Random part of the first timeout: ACK_TIMEOUT * (ACK_RANDOM_FACTOR - 1),
        # as an int so that sending a CON needs no float arithmetic.
        self.ack_spread = int(ack_timeout * (ack_random_factor - 1))
        self.max_retransmit = max_retransmit
        self.nstart = nstart
        f = ack_timeout * ack_random_factor
        if processing_delay is None:
            processing_delay = ack_timeout
        if max_transmit_span is None:
            max_transmit_span = int(f * ((1 << max_retransmit) - 1))
        if max_transmit_wait is None:
            max_transmit_wait = int(f * ((1 << (max_retransmit + 1)) - 1))
        if exchange_lifetime is None:
            exchange_lifetime = max_transmit_span + 2 * max_latency + processing_delay
        if non_lifetime is None:
            non_lifetime = max_transmit_span + max_latency
        self.max_transmit_span = max_transmit_span
        self.max_transmit_wait = max_transmit_wait
        self.exchange_lifetime = exchange_lifetime
        self.non_lifetime = non_lifetime
        # How long a client waits for a response after the empty ACK, or after
        # sending a NON request (RFC 7252 leaves it open).
        self.response_timeout = max_transmit_wait if response_timeout is None else response_timeout
        # Largest request body reassembled from Block1 (4.13 beyond) and largest
        # response body a client reassembles from Block2.
        self.max_body = max_body
        # Remembered (peer, MID) pairs for duplicate detection; the oldest is
        # forgotten first, even inside EXCHANGE_LIFETIME.
        self.dedup_size = dedup_size
        # Large responses kept per (peer, URI) so later Block2 requests do not
        # re-run the handler.
        self.block_cache = block_cache
