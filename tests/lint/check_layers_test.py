#!/usr/bin/env python3
"""Tests of scripts/check_layers.py: fixture trees under a temp dir, checked against the real docs/design.md
(so the rule under test is the one the repository states) or against a broken copy of it."""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "scripts", "check_layers.py")
with open(os.path.join(ROOT, "docs", "design.md"), encoding="utf-8") as f:
    DESIGN = f.read()


class CheckLayersTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.root = self._tmp.name
        self.design = DESIGN
        # A legal tree: one file per layer, each including a layer below it.
        self.files = {
            "src/common/result.h": "#pragma once\n#include <string>\n",
            "src/jsonrpc/message.h": '#include "common/result.h"\n',
            "src/mcp/session.cc": '#include "mcp/session.h"\n#include "jsonrpc/message.h"\n#include "common/result.h"\n',
            "src/mcp/session.h": "#pragma once\n",
            "src/transport/http.cc": '#include <boost/asio.hpp>\n#include <curl/curl.h>\n#include "mcp/session.h"\n',
            "src/aws/client.cc": '#include <curl/curl.h>\n#include "common/result.h"\n',
            "src/emulator/service.cc": '#include "aws/client.h"\n#include "common/result.h"\n',
            "src/catalog/catalog.cc": '#include "aws/client.h"\n#include "mcp/session.h"\n#include "jsonrpc/message.h"\n',
            "src/app/main.cc": '#include "catalog/catalog.h"\n#include "transport/http.h"\n#include "emulator/service.h"\n',
            "src/aws/client_test.cc": '#include "tests/support/loopback.h"\n',
            "src/mcp/CMakeLists.txt": "add_library(lmcp_mcp STATIC session.cc)\n"
                                      "target_link_libraries(lmcp_mcp PUBLIC lmcp_jsonrpc PRIVATE spdlog::spdlog)\n",
            "src/catalog/CMakeLists.txt": "target_link_libraries(lmcp_catalog\n  PUBLIC lmcp_aws lmcp_mcp lmcp_common)\n",
            "src/README.md": "not a layer file\n",
        }

    def tearDown(self):
        self._tmp.cleanup()

    def run_check(self):
        for path, text in self.files.items():
            full = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
        design = os.path.join(self.root, "design.md")
        with open(design, "w", encoding="utf-8") as f:
            f.write(self.design)
        done = subprocess.run([sys.executable, CHECK, "--root", self.root, "--design", design],
                              capture_output=True, text=True, check=False)
        return done.returncode, done.stdout, done.stderr

    def assert_fails_with(self, *needles):
        code, out, err = self.run_check()
        self.assertEqual(code, 1, out + err)
        for needle in needles:
            self.assertIn(needle, out)

    def test_legal_tree_passes(self):
        code, out, err = self.run_check()
        self.assertEqual(code, 0, out + err)
        self.assertEqual(out, "")

    def test_wrong_way_include_fails(self):
        self.files["src/mcp/session.cc"] += '#include "transport/http.h"\n'
        self.assert_fails_with('src/mcp/session.cc:4: includes "transport/http.h": mcp may include only '
                               "common, jsonrpc, mcp")

    def test_sideways_include_fails(self):
        # aws and mcp are both above common, neither below the other.
        self.files["src/aws/client.cc"] += '#include "mcp/session.h"\n'
        self.files["src/emulator/service.cc"] += '#include "catalog/catalog.h"\n'
        self.assert_fails_with('src/aws/client.cc:3: includes "mcp/session.h"',
                               'src/emulator/service.cc:3: includes "catalog/catalog.h"')

    def test_relative_wrong_way_include_fails(self):
        self.files["src/jsonrpc/message.h"] += '#include "../mcp/session.h"\n'
        self.assert_fails_with('src/jsonrpc/message.h:2: includes "../mcp/session.h": jsonrpc may include only')

    def test_include_in_a_subfolder_is_checked(self):
        self.files["src/common/detail/inner.h"] = '#include "aws/client.h"\n'
        self.assert_fails_with('src/common/detail/inner.h:1: includes "aws/client.h"')

    def test_mcp_core_including_network_headers_fails(self):
        self.files["src/mcp/session.cc"] += "#include <boost/asio/io_context.hpp>\n"
        self.files["src/jsonrpc/message.h"] += "#include <curl/curl.h>\n#include <httplib.h>\n"
        self.files["src/common/result.h"] += "#include <boost/beast/http.hpp>\n"
        self.assert_fails_with("src/mcp/session.cc:4: includes <boost/asio/io_context.hpp>: src/mcp/ never "
                               "includes boost/asio",
                               "src/jsonrpc/message.h:2: includes <curl/curl.h>: src/jsonrpc/ never includes curl/",
                               "src/jsonrpc/message.h:3: includes <httplib.h>",
                               "src/common/result.h:3: includes <boost/beast/http.hpp>")

    def test_production_file_including_test_helpers_fails(self):
        self.files["src/aws/client.cc"] += '#include "tests/support/loopback.h"\n'
        self.assert_fails_with('src/aws/client.cc:3: includes "tests/support/loopback.h": only test files')

    def test_folder_missing_from_the_table_fails(self):
        self.files["src/gateway/policy.cc"] = '#include "common/result.h"\n'
        self.assert_fails_with("src/gateway/: a folder that the Layers table in docs/design.md does not list")

    def test_wrong_way_link_fails(self):
        self.files["src/mcp/CMakeLists.txt"] += "target_link_libraries(lmcp_mcp PRIVATE lmcp_transport)\n"
        self.assert_fails_with("src/mcp/CMakeLists.txt:3: lmcp_mcp links lmcp_transport, which is not a layer "
                               "below mcp")

    def test_the_table_is_the_rule(self):
        # Letting aws link mcp in the document makes an include of mcp from aws legal.
        self.files["src/aws/client.cc"] += '#include "mcp/session.h"\n'
        self.assertEqual(self.run_check()[0], 1)
        lines = self.design.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("| `aws` |"):
                lines[i] = line.replace("| common |", "| common, mcp |")
        self.design = "".join(lines)
        self.assertNotEqual(self.design, DESIGN)
        code, out, err = self.run_check()
        self.assertEqual(code, 0, out + err)

    def test_unreadable_rule_is_an_error(self):
        self.design = "# design\n\nno layers here\n"
        code, _, err = self.run_check()
        self.assertEqual(code, 2)
        self.assertIn('no "## Layers" section', err)

    def test_rule_without_never_include_sentence_is_an_error(self):
        self.design = self.design.replace("never include", "do not include")
        code, _, err = self.run_check()
        self.assertEqual(code, 2)
        self.assertIn("never include", err)

    def test_cycle_in_the_table_is_an_error(self):
        lines = self.design.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("| `common` |"):
                lines[i] = line.rstrip().rsplit("|", 2)[0] + "| app |\n"
        self.design = "".join(lines)
        code, _, err = self.run_check()
        self.assertEqual(code, 2)
        self.assertIn("cycle", err)

    def test_unknown_layer_in_links_is_an_error(self):
        self.design = self.design.replace("| aws, mcp |", "| aws, mcp, gateway |", 1)
        code, _, err = self.run_check()
        self.assertEqual(code, 2)
        self.assertIn("unknown layers: gateway", err)


if __name__ == "__main__":
    unittest.main()
