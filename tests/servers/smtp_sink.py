"""aiosmtpd handler for logfig's `smtp` handler tests (tests/integration/handlers/network.rs).

Run as:
    PYTHONPATH=tests/servers python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink DIR

Every message accepted is saved whole (headers and body, as received) as
DIR/<seq>.eml, with DIR/<seq>.json holding the envelope's sender and
recipients; a file appears whole (written, then renamed).
"""
import json
import os


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.seq = 0

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("smtp_sink.Sink needs one argument: the directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        self.seq += 1
        base = os.path.join(self.directory, "%06d" % self.seq)
        meta = {"from": envelope.mail_from, "to": envelope.rcpt_tos}
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        for ext, data in ((".eml", content), (".json", json.dumps(meta).encode())):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + ext + ".tmp", base + ext)
        return "250 Message accepted for delivery"
