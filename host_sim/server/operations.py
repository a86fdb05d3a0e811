"""The device-management operations as an async API (docs/server.md): each
request goes through the device's outbox and comes back as a Result."""
import asyncio

from aiocoap.numbers.codes import Code

from . import content
from .exchange import Observation, build, send
from ..names import LINK_FORMAT, SENML_CBOR, content_format, parse_path


class UnknownEndpoint(LookupError):
    pass


def _attr_value(v):
    """An attribute value as the query carries it: booleans (edge, con) as 0/1,
    numbers in plain decimal (never 1e-05)."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        text = repr(v)
        return ("%.15f" % v).rstrip("0").rstrip(".") if "e" in text else text
    return str(v)


class Operations:
    """Mixed into LwM2MServer: needs ctx, type_of, timeout, bootstrap,
    registration(ep), outbox(ep) and _observations."""

    def _reg(self, ep):
        """Where device `ep` is: its registration, or its bootstrap session."""
        reg = self.registration(ep)
        if reg is None and self.bootstrap is not None:
            reg = self.bootstrap.sessions.get(ep)
        if reg is None:
            raise UnknownEndpoint("%s is not registered" % ep)
        return reg

    async def request(self, ep, code, path, payload=b"", fmt=None, accept=None, query=(), observe=None,
                      timeout=None, base=None, token=None, full=False, uri=None):
        """One request to device `ep`, through its outbox (in order; held while a
        queue-mode device sleeps) -> Result; `full` also gives the aiocoap request
        and response; `uri` a literal Uri-Path instead of `path`.
        asyncio.TimeoutError after `timeout` seconds."""
        self._reg(ep)
        path = parse_path(path)
        outbox = self.outbox(ep)

        async def run():
            msg = build(self._reg(ep), code, path, payload, fmt, accept, query, observe)
            if uri is not None:
                msg.opt.uri_path = uri
            answer = await send(self.ctx, msg, path if base is None else base, self.type_of, token)
            outbox.heard()  # it answered: it is awake
            return answer

        result, req, resp = await asyncio.wait_for(outbox.submit(run), self.timeout if timeout is None else timeout)
        return (result, req, resp) if full else result

    async def read(self, ep, path, accept=None, timeout=None):
        return await self.request(ep, Code.GET, path, accept=content_format(accept), timeout=timeout)

    async def discover(self, ep, path, timeout=None):
        return await self.request(ep, Code.GET, path, accept=LINK_FORMAT, timeout=timeout)

    def _payload(self, path, values, fmt, payload):
        if payload is not None:
            return bytes(payload)
        if values is None:
            return b""
        return content.encode(fmt, content.records(values, path, self.type_of), path)

    async def write(self, ep, path, values=None, fmt=SENML_CBOR, payload=None, replace=True, timeout=None):
        """Write (replace: PUT; partial update: POST on an instance). values:
        {path or resource id: value}, [(path, value)] or [(path, type, value)],
        encoded with the firmware codec of `fmt`; or a ready `payload`."""
        path, fmt = parse_path(path), content_format(fmt)
        body = self._payload(path, values, fmt, payload)
        return await self.request(ep, Code.PUT if replace else Code.POST, path, body, fmt, timeout=timeout)

    async def write_attributes(self, ep, path, attrs, timeout=None):
        """attrs: {'pmin': 10, 'gt': 20.5, 'lt': None} (None: the bare name, which
        removes the attribute), or ['pmin=10', ...]."""
        if isinstance(attrs, dict):
            query = [k if v is None else "%s=%s" % (k, _attr_value(v)) for k, v in sorted(attrs.items())]
        else:
            query = list(attrs)
        return await self.request(ep, Code.PUT, path, query=query, timeout=timeout)

    async def execute(self, ep, path, args=None, timeout=None):
        body = b"" if args is None else (args if isinstance(args, bytes) else str(args).encode())
        return await self.request(ep, Code.POST, path, body, 0 if body else None, timeout=timeout)

    async def create(self, ep, path, values=None, fmt=SENML_CBOR, payload=None, timeout=None):
        """Create in object `path` (POST); the new instance is in result.location."""
        path, fmt = parse_path(path), content_format(fmt)
        body = self._payload(path, values, fmt, payload)
        return await self.request(ep, Code.POST, path, body, fmt, timeout=timeout)

    async def delete(self, ep, path, timeout=None):
        return await self.request(ep, Code.DELETE, path, timeout=timeout)

    def _paths_payload(self, paths, fmt, payload):
        return bytes(payload) if payload is not None else content.encode_paths(fmt, paths)

    async def read_composite(self, ep, paths, fmt=SENML_CBOR, accept=None, payload=None, timeout=None):
        """FETCH on the root with the path list encoded in `fmt`; answer in `accept` (default fmt)."""
        fmt = content_format(fmt)
        accept = fmt if accept is None else content_format(accept)
        body = self._paths_payload(paths, fmt, payload)
        return await self.request(ep, Code.FETCH, (), body, fmt, accept, timeout=timeout)

    async def write_composite(self, ep, values=None, fmt=SENML_CBOR, payload=None, timeout=None):
        """iPATCH on the root; values with absolute paths."""
        fmt = content_format(fmt)
        body = self._payload((), values, fmt, payload)
        return await self.request(ep, Code.iPATCH, (), body, fmt, timeout=timeout)

    async def observe(self, ep, path, accept=None, timeout=None):
        """GET Observe=0 -> Observation (observation.result is the first answer;
        notifications also arrive as 'notification' events)."""
        path = parse_path(path)
        accept = content_format(accept)
        result, req, resp = await self.request(ep, Code.GET, path, accept=accept, observe=0,
                                               timeout=timeout, full=True)
        return self._track(Observation(self, ep, path, None, accept, result, req, resp))

    async def observe_composite(self, ep, paths, fmt=SENML_CBOR, accept=None, payload=None, timeout=None):
        fmt = content_format(fmt)
        accept = fmt if accept is None else content_format(accept)
        body = self._paths_payload(paths, fmt, payload)
        result, req, resp = await self.request(ep, Code.FETCH, (), body, fmt, accept, observe=0,
                                               timeout=timeout, full=True)
        obs = Observation(self, ep, (), [parse_path(p) for p in paths], accept, result, req, resp)
        obs.body, obs.body_format = body, fmt
        return self._track(obs)

    def _track(self, obs):
        if obs.active:
            self._observations.setdefault(obs.ep, []).append(obs)
        return obs

    async def cancel(self, obs, reset=False, timeout=None):
        """End an observation: by GET (FETCH for composite) Observe=1 with its
        token (int-303/305) -> Result; with reset=True only forget it, so the
        device's next notification is answered with a Reset (int-302) -> None."""
        obs.forget(self.ctx)
        mine = self._observations.get(obs.ep, [])
        if obs in mine:
            mine.remove(obs)
        if reset:
            return None
        if obs.paths is None:
            return await self.request(obs.ep, Code.GET, obs.path, accept=obs.format, observe=1,
                                      token=obs.token, timeout=timeout)
        return await self.request(obs.ep, Code.FETCH, (), obs.body, obs.body_format, obs.format, observe=1,
                                  token=obs.token, timeout=timeout)

    async def bootstrap_finish(self, ep, timeout=None):
        """Bootstrap-Finish: POST /bs -> 2.04, or 4.06 if the device finds its configuration inconsistent."""
        try:
            return await self.request(ep, Code.POST, (), uri=("bs",), timeout=timeout)
        finally:
            if self.bootstrap is not None:
                self.bootstrap.sessions.pop(ep, None)

    def observations(self, ep=None):
        if ep is not None:
            return list(self._observations.get(ep, ()))
        return [o for obs in self._observations.values() for o in obs]
