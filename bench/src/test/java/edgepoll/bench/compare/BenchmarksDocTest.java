package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RepoFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/benchmarks.md's list of the servers bench-compare runs (its paragraph "**Which servers.**":
 * the count and every name in backticks) is the harness's own list, {@code Servers.ALL}, which
 * {@code --quick} and the full run both take when {@code --servers} is not given; so a server added
 * to the harness cannot go missing from the page, as the C floor and the uring servers once did.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BenchmarksDocTest {
    @Test
    void theDocsServerListIsTheHarnesss() {
        String page = RepoFiles.read("docs/benchmarks.md");
        int at = page.indexOf("**Which servers.**");
        assertTrue(at >= 0, "docs/benchmarks.md has a paragraph starting \"**Which servers.**\"");
        int end = page.indexOf("\n\n", at);
        String paragraph = page.substring(at, end < 0 ? page.length() : end);
        List<String> doc = new ArrayList<>();
        Matcher m = Pattern.compile("`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`").matcher(paragraph);
        while (m.find()) doc.add(m.group(1));
        List<String> code = Servers.ALL.stream().map(Servers.Spec::name).toList();
        System.out.println("docs/benchmarks.md names " + doc.size() + " servers, Servers.ALL has " + code.size());
        assertTrue(code.size() >= 10, code.toString());
        assertEquals(code, doc, "the servers docs/benchmarks.md lists (\"**Which servers.**\", in Servers.ALL's order) against Servers.ALL");
        assertTrue(paragraph.contains(code.size() + " servers"), "the paragraph says \"" + code.size() + " servers\": " + paragraph);
        assertEquals(String.join(",", code), Servers.names(), "--quick and the full run take Servers.names(), which is every server of ALL");
    }
}
