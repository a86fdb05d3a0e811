"""Eclipse Leshan as the reference LwM2M server for interoperability tests (CPython only).

fetch() gets the Leshan jars with Maven (cached outside the repository) and compiles the two small
Java tools in tools/leshan/; LeshanServer, LeshanBsServer and StandInClient start one JVM each on
free loopback ports; LeshanRest and BsRest drive them through their REST APIs the way an operator
would; EventStream follows the server's server-sent events (registrations, updates,
de-registrations, notifications, CoAP log).

Maven Central carries only one Leshan demo: leshan-server-demo 2.0.0-M4 (jar-with-dependencies).
There is no leshan-demo-server / leshan-demo-bsserver / leshan-demo-client there, so the bootstrap
server and the stand-in client are built from the Leshan 2.0.0-M4 libraries (tools/leshan/*.java),
and LeshanOpsServer (tools/leshan/ops/, Leshan 2.0.0-M15 library) serves what the 2.0.0-M4 demo's
REST API lacks: composite operations, active cancel and Send.
"""

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile

VERSION = "2.0.0-M4"
GROUP = "org.eclipse.leshan"
# (artifact, classifier): the demo server bundles every library the tools need, but the client.
ARTIFACTS = (
    ("leshan-server-demo", "jar-with-dependencies"),
    ("leshan-client-core", None),
    ("leshan-client-cf", None),
)
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
OPS_VERSION = "2.0.0-M15"  # the library of tools/leshan/ops (pinned in its pom.xml)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools", "leshan")
OPS_TOOLS = os.path.join(TOOLS, "ops")
# Gson in the 2.0.0-M4 demo reflects into java.util (fails on Java 17 without this); the other
# flags make a small JVM start faster, which is most of the harness' run time.
JVM_FLAGS = ("--add-opens", "java.base/java.util=ALL-UNNAMED",
             "--add-opens", "java.base/java.lang=ALL-UNNAMED",
             "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m")
HOST = "127.0.0.1"
# How long the ops server keeps a queue-mode client awake after its last message (Leshan's own
# default, the demo's, is 93 s): short, so int-109 sees it fall asleep and wake in seconds.
OPS_AWAKE_MS = 4000


class LeshanUnavailable(Exception):
    """Java, Maven or the Leshan artifacts are missing: the tests that need Leshan cannot run."""


class LeshanError(Exception):
    """Leshan answered, but not as the operator asked (HTTP error, timeout, unsupported call)."""


class Unsupported(LeshanError):
    """The Leshan in use has no REST call for this operation."""


def cache_dir():
    return os.environ.get("LWM2M_LESHAN_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "lwm2m-leshan")


def _jar_name(artifact, classifier):
    return "%s-%s%s.jar" % (artifact, VERSION, "-" + classifier if classifier else "")


def _run(cmd, timeout, what):
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LeshanUnavailable("%s: no answer within %d s" % (what, timeout))
    if done.returncode != 0:
        tail = done.stdout.decode("utf-8", "replace")[-1500:]
        raise LeshanUnavailable("%s failed (exit %d):\n%s" % (what, done.returncode, tail))


class Jars:
    """Where the fetched jars and the compiled tools are: classpath() for `java -cp`."""

    def __init__(self, directory, classes, ops_classes):
        self.directory = directory
        self.classes = classes
        self.ops_classes = ops_classes
        self.server_demo = os.path.join(directory, _jar_name(*ARTIFACTS[0]))
        self.models = os.path.join(directory, "models-" + VERSION)

    def classpath(self):
        jars = [os.path.join(self.directory, _jar_name(a, c)) for a, c in ARTIFACTS]
        return os.pathsep.join(jars + ([self.classes] if self.classes else []))

    def ops_classpath(self):
        jars = os.path.join(self.directory, "ops-" + OPS_VERSION, "*")  # java and javac expand it
        return os.pathsep.join([jars] + ([self.ops_classes] if self.ops_classes else []))


def fetch(directory=None, timeout=600):
    """Get the jars with Maven and compile tools/leshan; returns Jars. Cached: a second call is fast.

    Raises LeshanUnavailable with the reason when java, javac or mvn is missing or Maven fails."""
    directory = directory or cache_dir()
    for tool in ("java", "javac", "mvn"):
        if not shutil.which(tool):
            raise LeshanUnavailable("%s is not installed (Leshan needs Java 17 and Maven)" % tool)
    os.makedirs(directory, exist_ok=True)
    for artifact, classifier in ARTIFACTS:
        if os.path.exists(os.path.join(directory, _jar_name(artifact, classifier))):
            continue
        coords = "%s:%s:%s:jar%s" % (GROUP, artifact, VERSION, ":" + classifier if classifier else "")
        _run(["mvn", "-B", "-q", DEPENDENCY_PLUGIN + ":copy", "-Dartifact=" + coords,
              "-DoutputDirectory=" + directory], timeout, "mvn dependency:copy " + coords)
    ops_jars = os.path.join(directory, "ops-" + OPS_VERSION)
    if not os.path.exists(os.path.join(ops_jars, ".done")):
        _run(["mvn", "-B", "-q", "-f", os.path.join(OPS_TOOLS, "pom.xml"), DEPENDENCY_PLUGIN + ":copy-dependencies",
              "-DincludeScope=runtime", "-DoutputDirectory=" + ops_jars], timeout,
             "mvn dependency:copy-dependencies (Leshan %s)" % OPS_VERSION)
        open(os.path.join(ops_jars, ".done"), "w").close()
    jars = Jars(directory, None, None)
    _extract_models(jars.server_demo, jars.models)
    jars.classes = _compile(TOOLS, jars.classpath, directory, "classes", timeout)
    jars.ops_classes = _compile(OPS_TOOLS, jars.ops_classpath, directory, "ops-classes", timeout)
    return jars


def _extract_models(jar, folder):
    """The IPSO object models (3200-3499) of the demo jar, for the ops server, whose M15 library
    knows only objects 0-7 and 21 (a Create or Observe of /3303 needs the model)."""
    if os.path.exists(os.path.join(folder, ".done")):
        return
    os.makedirs(folder, exist_ok=True)
    with zipfile.ZipFile(jar) as z:
        for name in z.namelist():
            base = os.path.basename(name)  # models/3303.xml, models/3303-1_0.xml
            oid = base.split("-")[0].split(".")[0]
            if name.startswith("models/") and base.endswith(".xml") and oid.isdigit() and 3200 <= int(oid) < 3500:
                with open(os.path.join(folder, base), "wb") as f:
                    f.write(z.read(name))
    open(os.path.join(folder, ".done"), "w").close()


def _compile(folder, classpath, directory, prefix, timeout):
    """javac every .java of `folder` into a cache folder named after their hash; returns it."""
    sources = sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".java"))
    digest = hashlib.sha256()
    for path in sources:
        with open(path, "rb") as f:
            digest.update(f.read())
    # One folder per version of the sources: an edited tool is recompiled, never run stale.
    classes = os.path.join(directory, "%s-%s" % (prefix, digest.hexdigest()[:12]))
    if not os.path.exists(os.path.join(classes, ".done")):
        building = classes + ".tmp%d" % os.getpid()
        os.makedirs(building, exist_ok=True)
        _run(["javac", "-nowarn", "-encoding", "UTF-8", "-d", building, "-cp", classpath()] + sources,
             timeout, "javac " + os.path.relpath(folder, ROOT))
        open(os.path.join(building, ".done"), "w").close()
        try:
            os.rename(building, classes)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)  # another process compiled it first
    return classes


def free_port(kind=socket.SOCK_DGRAM):
    """A loopback port free for `kind` right now (UDP for CoAP, TCP for the web server)."""
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


class JavaProcess:
    """One JVM with its output in a log file; stop() always ends it (terminate, then kill)."""

    name = "java"

    def __init__(self):
        self.proc = None
        self.log_path = None
        self._log = None
        self._final = ""
        self._keys = None  # a folder with the X.509 files given to the JVM

    def _x509_args(self, x509):
        """x509: (server certificate, its private key as PKCS#8, the CA clients' certificates must
        lead to), DER bytes -> the options -cert -prik -truststore naming files with them (the
        demo server's options; LeshanBsServer.java takes the same)."""
        if not x509:
            return []
        self._keys = tempfile.mkdtemp(prefix="leshan-%s-x509-" % self.name)
        args = []
        for option, der in zip(("-cert", "-prik", "-truststore"), x509):
            path = os.path.join(self._keys, option[1:] + ".der")
            with open(path, "wb") as f:
                f.write(der)
            args += [option, path]
        return args

    def _spawn(self, args):
        fd, self.log_path = tempfile.mkstemp(prefix="leshan-%s-" % self.name, suffix=".log")
        self._log = os.fdopen(fd, "w+b")
        # Leshan keeps its security store in ./data: a working folder of its
        # own, so nothing lands in the checkout.
        self.workdir = tempfile.mkdtemp(prefix="leshan-%s-" % self.name)
        self.proc = subprocess.Popen(["java"] + list(JVM_FLAGS) + list(args), stdin=subprocess.PIPE,
                                     stdout=self._log, stderr=subprocess.STDOUT, cwd=self.workdir)

    def output(self):
        """Everything the JVM printed so far (kept after stop())."""
        if self.proc is None:
            return self._final
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def lines(self):
        """Only the tool's own lines (upper-case words), without Leshan's log lines."""
        return [ln for ln in self.output().splitlines() if ln[:1].isupper() and not ln[:4].isdigit()
                and " INFO " not in ln and " WARN " not in ln and " ERROR " not in ln and " DEBUG " not in ln]

    def wait_line(self, prefix, timeout=10.0, count=1):
        """Wait until `count` tool lines start with `prefix`; returns the last one."""
        deadline = time.monotonic() + timeout
        while True:
            found = [ln for ln in self.lines() if ln.startswith(prefix)]
            if len(found) >= count:
                return found[count - 1]
            if self.proc.poll() is not None:
                raise LeshanError("%s exited (%s) before printing %r:\n%s"
                                  % (self.name, self.proc.returncode, prefix, self.output()[-2000:]))
            if time.monotonic() > deadline:
                raise LeshanError("%s printed no %r within %.0f s:\n%s"
                                  % (self.name, prefix, timeout, self.output()[-2000:]))
            time.sleep(0.05)

    def _wait_ready(self, probe, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise LeshanError("%s exited (%s) while starting:\n%s"
                                  % (self.name, self.proc.returncode, self.output()[-3000:]))
            try:
                probe()
                return
            except (OSError, LeshanError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise LeshanError("%s not ready within %.0f s:\n%s"
                                      % (self.name, timeout, self.output()[-3000:]))
                time.sleep(0.1)

    def stop(self, timeout=10.0):
        """SIGTERM (the JVM's shutdown hooks run: a client de-registers), then SIGKILL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        try:
            self.proc.stdin.close()
        except OSError:
            pass  # the JVM is gone: nothing was waiting to be read
        self._final = self.output()
        self._log.close()
        os.unlink(self.log_path)
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self._keys:
            shutil.rmtree(self._keys, ignore_errors=True)
            self._keys = None
        self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _ServerProcess(JavaProcess):
    """A Leshan server on free loopback ports: jars, ports, its REST client."""

    def __init__(self, jars, x509=None):
        """x509: (certificate, PKCS#8 private key, trusted CA), DER: the coaps port serves that
        certificate and accepts clients whose certificate the CA signed (X.509 mode; PSK works
        as before); the demo and bootstrap servers take it. Without, the demo server has its own
        self-signed certificate and trusts every client certificate, the bootstrap server PSK only."""
        JavaProcess.__init__(self)
        self.jars = jars
        self.x509 = x509
        self.coap_port = self.coaps_port = self.web_port = None
        self.rest = None

    @property
    def coap_uri(self):
        return "coap://%s:%d" % (HOST, self.coap_port)

    @property
    def coaps_uri(self):
        return "coaps://%s:%d" % (HOST, self.coaps_port)


class LeshanServer(_ServerProcess):
    """The Eclipse Leshan demo server (leshan-server-demo) on free loopback ports."""

    name = "server"

    def start(self, timeout=60.0, ports=None):
        """`ports`: (coap, coaps, web) to reuse those of a server stopped before (a restarted
        server that forgot its registrations); free ports by default."""
        if ports:
            self.coap_port, self.coaps_port, self.web_port = ports
        else:
            self.coap_port, self.coaps_port = free_port(), free_port()
            self.web_port = free_port(socket.SOCK_STREAM)
        self._spawn(["-jar", self.jars.server_demo,
                     "-lh", HOST, "-lp", str(self.coap_port),
                     "-slh", HOST, "-slp", str(self.coaps_port),
                     "-wh", HOST, "-wp", str(self.web_port)] + self._x509_args(self.x509))
        self.rest = LeshanRest("http://%s:%d" % (HOST, self.web_port))
        self._wait_ready(self.rest.clients, timeout)
        return self

    def events(self, endpoint=None):
        """A new EventStream on this server; with `endpoint`, only that client's events, and its
        CoAP log when it is registered already."""
        return EventStream(self.rest.base, endpoint)


class LeshanBsServer(_ServerProcess):
    """A Leshan bootstrap server (tools/leshan/LeshanBsServer.java) on free loopback ports."""

    name = "bsserver"

    def start(self, timeout=60.0):
        self.coap_port, self.coaps_port = free_port(), free_port()
        self.web_port = free_port(socket.SOCK_STREAM)
        self._spawn(["-cp", self.jars.classpath(), "LeshanBsServer", "-lh", HOST,
                     "-lp", str(self.coap_port), "-slp", str(self.coaps_port), "-wp", str(self.web_port)]
                    + self._x509_args(self.x509))
        self.rest = BsRest("http://%s:%d" % (HOST, self.web_port))
        self._wait_ready(self.rest.configs, timeout)
        return self


class LeshanOpsServer(_ServerProcess):
    """A Leshan 2.0.0-M15 library server (tools/leshan/ops/LeshanOpsServer.java), plain CoAP and
    DTLS PSK, with REST calls for composite operations, active cancel and Send (OpsRest)."""

    name = "opsserver"

    def start(self, timeout=60.0):
        self.coap_port, self.coaps_port = free_port(), free_port()
        self.web_port = free_port(socket.SOCK_STREAM)
        self._spawn(["-cp", self.jars.ops_classpath(), "LeshanOpsServer", "-lh", HOST,
                     "-lp", str(self.coap_port), "-slp", str(self.coaps_port), "-wp", str(self.web_port),
                     "-m", self.jars.models, "-awake", str(OPS_AWAKE_MS)])
        self.rest = OpsRest("http://%s:%d" % (HOST, self.web_port))
        self._wait_ready(self.rest.events, timeout)
        return self

    def events(self):
        """A PolledEvents on this server's event list, from now on."""
        return PolledEvents(self.rest)


class StandInClient(JavaProcess):
    """A Leshan library client (tools/leshan/LeshanStandInClient.java) standing in for ours.

    It prints REGISTERED <location>, UPDATED, DEREGISTERED, BOOTSTRAPPED, REBOOT (on /3/0/4); it
    takes commands on stdin: `update` (registration update now), `deregister`, `bootstrap`."""

    name = "client"

    def __init__(self, jars, endpoint):
        JavaProcess.__init__(self)
        self.jars = jars
        self.endpoint = endpoint

    def start(self, uri, bootstrap=False, psk=None, lifetime=300):
        """`psk`: (identity, key bytes) or None."""
        args = ["-cp", self.jars.classpath(), "LeshanStandInClient", "-n", self.endpoint, "-u", uri,
                "-l", str(lifetime)]
        if bootstrap:
            args.append("-b")
        if psk:
            args += ["-i", psk[0], "-p", psk[1].hex()]
        self._spawn(args)
        return self

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()


class _Http:
    """JSON over HTTP with a timeout on every call; errors raise LeshanError with Leshan's text."""

    def __init__(self, base, timeout=15.0):
        self.base = base
        self.timeout = timeout
        parts = urllib.parse.urlsplit(base)
        self._host, self._port = parts.hostname, parts.port

    def call(self, method, path, query=None, body=None, content_type="application/json", timeout=None):
        """Returns (status, parsed JSON or text)."""
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None
        headers = {}
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout or self.timeout)
        try:
            conn.request(method, url, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read().decode("utf-8", "replace")
        except socket.timeout:
            raise LeshanError("%s %s: no HTTP answer within %.0f s" % (method, url, timeout or self.timeout))
        finally:
            conn.close()
        try:
            value = json.loads(raw) if raw[:1] in "[{" else raw
        except ValueError:
            value = raw
        return resp.status, value

    def ok(self, method, path, query=None, body=None, content_type="application/json", timeout=None):
        status, value = self.call(method, path, query, body, content_type, timeout)
        if status != 200:
            raise LeshanError("%s %s -> HTTP %d: %s" % (method, path, status, str(value)[:500]))
        return value


def _path(path):
    """'/3/0/1', (3, 0, 1) or '3/0/1' -> '/3/0/1'."""
    if isinstance(path, (tuple, list)):
        return "/" + "/".join(str(p) for p in path)
    return "/" + path.strip("/")


class LeshanRest(_Http):
    """The Leshan demo server's REST API under /api, as an operator uses it.

    Device operations answer the LwM2M response as Leshan reports it: a dict with "status"
    ("CONTENT(205)", "CHANGED(204)", "NOT_FOUND(404)", ...), "success", and "content" (read),
    "objectLinks" (discover) or "location" (create). A device that does not answer in time gives
    LeshanError (Leshan's HTTP 504). `fmt` names a content format as Leshan does: TEXT, TLV, JSON,
    SENML_JSON, SENML_CBOR, CBOR, OPAQUE, LINK. `timeout` is the device timeout in seconds."""

    # -- registrations
    def clients(self):
        """Every registration: list of dicts (endpoint, registrationId, lifetime, bindingMode,
        lwM2mVersion, objectLinks, queuemode, secure, address, ...)."""
        return self.ok("GET", "/api/clients")

    def client(self, endpoint):
        """The registration of `endpoint`, or None when it is not registered."""
        status, value = self.call("GET", "/api/clients/" + endpoint)
        return value if status == 200 and isinstance(value, dict) else None

    def wait_registered(self, endpoint, timeout=20.0, predicate=None):
        """Poll until `endpoint` is registered (and predicate(registration) holds); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            reg = self.client(endpoint)
            if reg is not None and (predicate is None or predicate(reg)):
                return reg
            if time.monotonic() > deadline:
                raise LeshanError("%s not registered within %.0f s (last: %r)" % (endpoint, timeout, reg))
            time.sleep(0.1)

    def wait_deregistered(self, endpoint, timeout=20.0):
        deadline = time.monotonic() + timeout
        while self.client(endpoint) is not None:
            if time.monotonic() > deadline:
                raise LeshanError("%s still registered after %.0f s" % (endpoint, timeout))
            time.sleep(0.1)

    # -- device management
    def _device(self, method, endpoint, path, suffix="", fmt=None, timeout=None, query=None, **kw):
        q = dict(query or {})
        if fmt:
            q["format"] = fmt
        if timeout:
            q["timeout"] = str(int(timeout))
        http_timeout = (timeout or 5) + 10  # Leshan's own device timeout comes first
        return self.ok(method, "/api/clients/%s%s%s" % (endpoint, _path(path) if path else "", suffix),
                       q, timeout=http_timeout, **kw)

    def read(self, endpoint, path, fmt=None, timeout=None):
        return self._device("GET", endpoint, path, fmt=fmt, timeout=timeout)

    def write(self, endpoint, path, node, fmt=None, replace=True, timeout=None):
        """`node` in Leshan's JSON: {"id":14,"value":"+02:00"} for a resource,
        {"id":0,"resources":[...]} for an instance, {"id":11,"values":{"0":1}} for a multiple one.
        replace=False is a partial update (POST on the instance)."""
        return self._device("PUT", endpoint, path, fmt=fmt, timeout=timeout,
                            query={"replace": "true" if replace else "false"}, body=node)

    def write_text(self, endpoint, path, text, timeout=None):
        """Write one resource from text/plain (Leshan converts it to the resource's type)."""
        return self._device("PUT", endpoint, path, timeout=timeout, body=text, content_type="text/plain")

    def execute(self, endpoint, path, arguments=None, timeout=None):
        return self._device("POST", endpoint, path, timeout=timeout,
                            body=arguments if arguments else None, content_type="text/plain")

    def discover(self, endpoint, path, timeout=None):
        """Returns the response; its "objectLinks" are [{"url": "/3/0/1", "attributes": {...}}]."""
        return self._device("GET", endpoint, path, "/discover", timeout=timeout)

    def write_attributes(self, endpoint, path, timeout=None, **attrs):
        """write_attributes(ep, "/3/0/13", pmin=1, pmax=10); a value None clears (`?pmin`)."""
        query = "&".join(k if v is None else "%s=%s" % (k, v) for k, v in sorted(attrs.items()))
        suffix = "/attributes?" + query
        q = {"timeout": str(int(timeout))} if timeout else None
        # the attributes go in the raw query string, which urlencode would reorder and escape
        url = "/api/clients/%s%s%s" % (endpoint, _path(path), suffix)
        if q:
            url += "&" + urllib.parse.urlencode(q)
        return self.ok("PUT", url, timeout=(timeout or 5) + 10)

    def create(self, endpoint, path, instance, fmt=None, timeout=None):
        """`instance`: {"id": 1 (optional), "resources": [{"id":0,"value":..}, ...]}."""
        return self._device("POST", endpoint, path, fmt=fmt, timeout=timeout, body=instance)

    def delete(self, endpoint, path, timeout=None):
        return self._device("DELETE", endpoint, path, timeout=timeout)

    def observe(self, endpoint, path, fmt=None, timeout=None):
        """Start an observation; its notifications arrive as NOTIFICATION events (EventStream)."""
        return self._device("POST", endpoint, path, "/observe", fmt=fmt, timeout=timeout)

    def cancel_observe(self, endpoint, path):
        """Passive cancel: Leshan forgets the observation and answers the next notification with
        a CoAP Reset (the demo's only way to cancel)."""
        return self.ok("DELETE", "/api/clients/%s%s/observe" % (endpoint, _path(path)))

    # -- composite operations and Send: not in the 2.0.0-M4 demo REST API (LeshanOpsServer has them)
    def _no_composite(self, what):
        raise Unsupported("%s: the Leshan demo server %s REST API has no composite operations; "
                          "use LeshanOpsServer (OpsRest)" % (what, VERSION))

    def read_composite(self, endpoint, paths, fmt="SENML_CBOR", timeout=None):
        self._no_composite("read-composite")

    def write_composite(self, endpoint, values, fmt="SENML_CBOR", timeout=None):
        self._no_composite("write-composite")

    def observe_composite(self, endpoint, paths, fmt="SENML_CBOR", timeout=None):
        self._no_composite("observe-composite")

    def cancel_observe_composite(self, endpoint, paths):
        self._no_composite("cancel observe-composite")

    # -- security (DTLS PSK) of the server
    def security(self):
        return self.ok("GET", "/api/security/clients")

    def add_psk(self, endpoint, identity, key):
        """Accept `endpoint` only over DTLS with this PSK (`key` bytes)."""
        return self.ok("PUT", "/api/security/clients",
                       body={"endpoint": endpoint, "psk": {"identity": identity, "key": key.hex()}})

    def add_x509(self, endpoint):
        """Accept `endpoint` only over DTLS with a certificate the trusted CA signed, its CN the
        endpoint name."""
        return self.ok("PUT", "/api/security/clients", body={"endpoint": endpoint, "x509": True})

    def remove_security(self, endpoint):
        return self.ok("DELETE", "/api/security/clients/" + endpoint)


class BsRest(_Http):
    """The REST API of tools/leshan/LeshanBsServer.java."""

    def configs(self):
        return self.ok("GET", "/api/bootstrap")

    def set_config(self, endpoint, config):
        """`config` as built by bootstrap_config()."""
        return self.ok("PUT", "/api/bootstrap/" + endpoint, body=config)

    def delete_config(self, endpoint):
        return self.ok("DELETE", "/api/bootstrap/" + endpoint)

    def add_psk(self, endpoint, identity, key):
        return self.ok("PUT", "/api/security/clients",
                       body={"endpoint": endpoint, "psk": {"identity": identity, "key": key.hex()}})

    add_x509 = LeshanRest.add_x509

    def remove_security(self, endpoint):
        return self.ok("DELETE", "/api/security/clients/" + endpoint)

    def events(self, since=0):
        """Bootstrap session steps, oldest first: {"seq","type","ep","detail"}; type is one of
        INITIATED, UNAUTHORIZED, AUTHORIZED, NOCONFIG, REQUEST, SUCCESS, ERROR, FAILURE, END, FAILED."""
        return self.ok("GET", "/api/events", {"since": since} if since else None)

    def wait_event(self, endpoint, kind, timeout=20.0, since=0):
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events(since):
                if ev["ep"] == endpoint and ev["type"] == kind:
                    return ev
            if time.monotonic() > deadline:
                raise LeshanError("no %s bootstrap event for %s within %.0f s: %r"
                                  % (kind, endpoint, timeout, self.events(since)))
            time.sleep(0.1)


class OpsRest(_Http):
    """The REST API of tools/leshan/ops/LeshanOpsServer.java. Answers as LeshanRest's, but
    "content" maps each path to its value ({"/3/0/0": "Leshan", "/3/0/4242": None});
    times are epoch seconds, opaque values hex."""

    def client(self, endpoint):
        status, value = self.call("GET", "/api/clients/" + endpoint)
        return value if status == 200 and isinstance(value, dict) else None

    def add_psk(self, endpoint, identity, key):
        """Accept `endpoint` only over DTLS with this PSK (`key` bytes)."""
        return self.ok("PUT", "/api/security/clients", {"endpoint": endpoint, "identity": identity, "key": key.hex()})

    def remove_security(self, endpoint):
        return self.ok("DELETE", "/api/security/clients/" + endpoint)

    def _device(self, method, endpoint, suffix, query, timeout):
        q = list(query)
        if timeout:
            q.append(("timeout", str(int(timeout))))
        return self.ok(method, "/api/clients/%s%s" % (endpoint, suffix), q, timeout=(timeout or 5) + 10)

    def read(self, endpoint, path, fmt=None, timeout=None):
        """Read; unlike the demo's, the answer carries resource instance values."""
        return self._device("GET", endpoint, _path(path), [("format", fmt)] if fmt else [], timeout)

    def write(self, endpoint, path, value, fmt=None, timeout=None):
        """Write (replace) one resource or resource instance: value bool, int, float or str."""
        q = [("value", _query_value(value))] + ([("format", fmt)] if fmt else [])
        return self._device("PUT", endpoint, _path(path), q, timeout)

    def write_attributes(self, endpoint, path, timeout=None, **attrs):
        """write_attributes(ep, "/3/0/13", pmin=1, pmax=2)."""
        q = [(k, str(v)) for k, v in sorted(attrs.items())]
        return self._device("PUT", endpoint, _path(path) + "/attributes", q, timeout)

    def create(self, endpoint, oid, values, iid=None, fmt=None, timeout=None):
        """Create an instance of object `oid` with {resource id: value}; iid None: the client
        picks the instance id (the answer's "location" names it)."""
        q = [(str(r), _query_value(v)) for r, v in sorted(values.items())]
        q += ([("id", str(iid))] if iid is not None else []) + ([("format", fmt)] if fmt else [])
        return self._device("POST", endpoint, "/%d" % oid, q, timeout)

    def delete(self, endpoint, path, timeout=None):
        """Delete an object instance ("/3303/1")."""
        return self._device("DELETE", endpoint, _path(path), [], timeout)

    def read_composite(self, endpoint, paths, fmt="SENML_CBOR", timeout=None):
        return self._device("GET", endpoint, "/composite",
                            [("paths", ",".join(_path(p) for p in paths)), ("format", fmt)], timeout)

    def write_composite(self, endpoint, values, fmt="SENML_CBOR", timeout=None):
        """`values`: {"/1/0/2": 5, "/3/0/14": "+01:00", "/1/0/6": True}."""
        q = [("format", fmt)] + [(_path(p), _query_value(v)) for p, v in sorted(values.items())]
        return self._device("PUT", endpoint, "/composite", q, timeout)

    def observe_composite(self, endpoint, paths, fmt="SENML_CBOR", timeout=None):
        return self._device("POST", endpoint, "/composite/observe",
                            [("paths", ",".join(_path(p) for p in paths)), ("format", fmt)], timeout)

    def cancel_observe_composite(self, endpoint, paths, active=True, timeout=None):
        """active: FETCH with Observe=1; else Leshan forgets it and resets the next notification."""
        q = [("paths", ",".join(_path(p) for p in paths))] + ([("active", "true")] if active else [])
        return self._device("DELETE", endpoint, "/composite/observe", q, timeout)

    def observe(self, endpoint, path, fmt=None, timeout=None):
        return self._device("POST", endpoint, _path(path) + "/observe", [("format", fmt)] if fmt else [], timeout)

    def cancel_observe(self, endpoint, path, active=True, timeout=None):
        """active: GET with Observe=1 (int-303); else passive, as LeshanRest.cancel_observe."""
        return self._device("DELETE", endpoint, _path(path) + "/observe",
                            [("active", "true")] if active else [], timeout)

    def events(self, since=0):
        """[{"seq","type","ep",...}]: REGISTRATION / UPDATED {"registration"}, DEREGISTRATION,
        NOTIFICATION {"paths","val"}, SEND {"val"}, OBSERVE_ERROR, SEND_ERROR, and for a
        queue-mode client SLEEPING and AWAKE."""
        return self.ok("GET", "/api/events", {"since": since} if since else None)


def _query_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class PolledEvents:
    """EventStream's wait()/collect() over a server that lists its events (OpsRest)."""

    def __init__(self, rest):
        self.rest = rest
        self._since = len(rest.events())
        self._cursor = {}

    def _all(self):
        return self.rest.events(self._since)

    def wait(self, kind, predicate=None, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            seen = self._all()
            for i in range(self._cursor.get(kind, 0), len(seen)):
                if seen[i]["type"] == kind and (predicate is None or predicate(seen[i])):
                    self._cursor[kind] = i + 1
                    return seen[i]
            if time.monotonic() > deadline:
                raise LeshanError("no %s event within %.0f s (seen: %s)"
                                  % (kind, timeout, [e["type"] for e in seen][-20:]))
            time.sleep(0.1)

    def collect(self, kind, seconds):
        time.sleep(seconds)
        seen = self._all()
        start, self._cursor[kind] = self._cursor.get(kind, 0), len(seen)
        return [e for e in seen[start:] if e["type"] == kind]

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def bootstrap_config(server_uri, short_id=123, lifetime=300, binding="U", psk=None,
                     bs_uri=None, bs_psk=None, to_delete=("/0", "/1"), cert=None, bs_cert=None, acls=(),
                     **server):
    """A bootstrap configuration: delete `to_delete`, then write one LwM2M server (Security /0/1,
    Server /1/0) and, with `bs_uri`, the bootstrap server account (/0/0).
    psk / bs_psk: (identity, key bytes); cert / bs_cert: (client certificate, its PKCS#8 private
    key, the server's certificate or CA), DER -> X.509 mode. acls: Access Control instances
    /2/0, /2/1... as (object id, instance id, {short server id: rights}, owner short server id).
    Extra keywords go to the Server object (defaultMinPeriod...)."""

    def account(uri, bootstrap, creds, x509, sid):
        acc = {"uri": uri, "bootstrapServer": bootstrap, "securityMode": "NO_SEC"}
        if creds:
            acc.update(securityMode="PSK", publicKeyOrId=creds[0].encode().hex(), secretKey=creds[1].hex())
        elif x509:
            acc.update(securityMode="X509", publicKeyOrId=x509[0].hex(), secretKey=x509[1].hex(),
                       serverPublicKey=x509[2].hex())
        if sid is not None:
            acc["serverId"] = sid
        return acc

    srv = {"shortId": short_id, "lifetime": lifetime, "binding": binding}
    srv.update(server)
    security = {"1": account(server_uri, False, psk, cert, short_id)}
    if bs_uri:
        security["0"] = account(bs_uri, True, bs_psk, bs_cert, None)
    config = {"toDelete": list(to_delete), "servers": {"0": srv}, "security": security}
    if acls:
        config["acls"] = {str(i): {"objectId": a[0], "objectInstanceId": a[1], "owner": a[3],
                                   "acls": {str(s): r for s, r in a[2].items()}} for i, a in enumerate(acls)}
    return config


class EventStream:
    """Follows /api/event (server-sent events) in a thread; events queue up as (type, data).

    Types: REGISTRATION, UPDATED, DEREGISTRATION, SLEEPING, AWAKE, NOTIFICATION
    ({"ep","res","val"}), and with an endpoint COAPLOG (every CoAP message to or from it:
    {"incoming","type","code","mId","token","options","payload"}). Leshan attaches the CoAP log
    to the client's address when the stream opens: open it after the client registered."""

    def __init__(self, base, endpoint=None, timeout=5.0):
        parts = urllib.parse.urlsplit(base)
        self.seen = []  # every (type, data) so far, in order of arrival
        self._cursor = {}  # type -> index in seen after the last event wait() returned
        self._arrived = threading.Condition()
        self._closed = False
        target = "/api/event" + ("?ep=" + urllib.parse.quote(endpoint) if endpoint else "")
        # A plain socket: http.client gives no clean way to block forever on an open stream.
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self._sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                            "Cache-Control: no-cache\r\n\r\n" % (target, parts.hostname, parts.port)).encode())
        self._file = self._sock.makefile("rb")
        status = self._file.readline().decode("latin-1")
        if " 200 " not in status:
            self._sock.close()
            raise LeshanError("%s -> %s" % (target, status.strip()))
        while self._file.readline() not in (b"\r\n", b"\n", b""):
            pass  # headers
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._read, name="leshan-sse", daemon=True)
        self._thread.start()

    def _read(self):
        kind, data = None, []
        try:
            for raw in self._file:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif not line and kind:
                    text = "\n".join(data)
                    try:
                        value = json.loads(text)
                    except ValueError:
                        value = text
                    self._add(kind, value)
                    kind, data = None, []
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed by close(), or the server went away
        self._add("CLOSED", None)

    def _add(self, kind, value):
        with self._arrived:
            self.seen.append((kind, value))
            self._arrived.notify_all()

    def wait(self, kind, predicate=None, timeout=10.0):
        """The next event of `kind` with predicate(data) true, after the last one wait() returned
        for that kind; other kinds stay available to their own wait()."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            i = self._cursor.get(kind, 0)
            while True:
                while i < len(self.seen):
                    k, value = self.seen[i]
                    i += 1
                    if k == kind and (predicate is None or predicate(value)):
                        self._cursor[kind] = i
                        return value
                    if k == "CLOSED":
                        raise LeshanError("event stream closed while waiting for " + kind)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LeshanError("no %s event within %.0f s (seen: %s)"
                                      % (kind, timeout, [k for k, _ in self.seen][-20:]))
                self._arrived.wait(left)

    def collect(self, kind, seconds):
        """Every event of `kind` not yet returned, waiting `seconds` for more."""
        time.sleep(seconds)
        with self._arrived:
            i = self._cursor.get(kind, 0)
            self._cursor[kind] = len(self.seen)
            return [v for k, v in self.seen[i:] if k == kind]

    def close(self):
        if not self._closed:
            self._closed = True
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone with the server
            self._file.close()
            self._sock.close()
            self._thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv=None):
    """`python -m host_sim.leshan`: fetch, then run the server and bootstrap server until Ctrl-C."""
    jars = fetch()
    with LeshanServer(jars).start() as server, LeshanBsServer(jars).start() as bs, \
            LeshanOpsServer(jars).start() as ops:
        print("Leshan server    %s  %s  web http://%s:%d" % (server.coap_uri, server.coaps_uri, HOST, server.web_port))
        print("Leshan bs-server %s  %s  web http://%s:%d" % (bs.coap_uri, bs.coaps_uri, HOST, bs.web_port))
        print("Leshan ops       %s  web http://%s:%d" % (ops.coap_uri, HOST, ops.web_port))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
