package edgepoll.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RepoFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every copy of {@code scripts/syscalls-et-vs-lt}'s table in README.md and docs/ has the shape the
 * command prints: its two header lines cell for cell, twelve columns in every row, the rows (workload
 * and mode) in the command's order — all of them, or, in a block whose command line says "excerpt",
 * some of them — and each row's request count. The table comes from the command's own code
 * ({@link SyscallComparison#table}), run here on the same workloads with fewer rounds (about 10 s
 * instead of a minute); a block is a copy when its first line is {@code $ scripts/syscalls-et-vs-lt}
 * (the {@code --link} table is another command's), and a block that looks like the table without
 * that line fails too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyscallTableDocTest {
    private static final String COMMAND = "$ scripts/syscalls-et-vs-lt";

    @Test
    void everyCopyOfTheTableHasTheCommandsShape() throws Exception {
        List<SyscallComparison.Workload> small = new ArrayList<>();
        for (SyscallComparison.Workload w : SyscallComparison.WORKLOADS) {
            small.add(new SyscallComparison.Workload(w.name(), w.flags(), w.connections(), Math.max(1, w.rounds() / 100), w.depth(), w.echoBytes()));
        }
        List<String> printed = SyscallComparison.table(small);
        List<String> header = printed.subList(0, 2);
        List<String> labels = new ArrayList<>();
        for (String row : printed.subList(2, printed.size())) labels.add(label(row));
        String refusal = SyscallComparison.uringRefusal();
        if (refusal != null) System.out.println("PARTIAL SyscallTableDocTest: the uring rows are not compared: " + refusal);
        assertEquals(SyscallComparison.WORKLOADS.size() * (refusal == null ? SyscallComparison.VARIANTS.length : 3), labels.size(), printed.toString());

        List<String> problems = new ArrayList<>();
        int copies = 0;
        for (Map.Entry<String, String> page : RepoFiles.pages().entrySet()) {
            for (RepoFiles.Block b : RepoFiles.fencedBlocks(page.getValue())) {
                String where = page.getKey() + ":" + b.line();
                List<String> lines = b.lines();
                boolean copy = !lines.isEmpty() && lines.get(0).startsWith(COMMAND) && !lines.get(0).contains("--link");
                boolean looksLikeIt = lines.stream().anyMatch(l -> l.startsWith("workload") && l.contains(" requests ") && !l.contains(" path "));
                if (!copy) {
                    if (looksLikeIt) problems.add(where + ": a copy of the table without the line \"" + COMMAND + "\" above it");
                    continue;
                }
                copies++;
                compare(where, lines.get(0).contains("excerpt"), lines.subList(1, lines.size()), header, labels, refusal != null, problems);
            }
        }
        System.out.println("syscalls-et-vs-lt: " + labels.size() + " rows x " + cells(header.get(0)).size() + " columns printed; "
                + copies + " copies in README.md and docs/ compared");
        assertTrue(copies >= 3, "copies of the table found: " + copies);
        assertEquals(List.of(), problems, "copies of scripts/syscalls-et-vs-lt's table that differ from what it prints (regenerate them from a run)");
    }

    private static void compare(String where, boolean excerpt, List<String> doc, List<String> header, List<String> labels,
                                boolean noUring, List<String> problems) {
        if (doc.size() < 3) {
            problems.add(where + ": " + doc.size() + " lines, not a table");
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (!cells(doc.get(i)).equals(cells(header.get(i)))) {
                problems.add(where + ": header line " + (i + 1) + " is " + cells(doc.get(i)) + ", the command prints " + cells(header.get(i)));
            }
        }
        int columns = cells(header.get(0)).size();
        List<String> docLabels = new ArrayList<>();
        for (String row : doc.subList(2, doc.size())) {
            if (row.isBlank()) continue;
            List<String> c = cells(row);
            if (c.size() != columns) problems.add(where + ": row \"" + label(row) + "\" has " + c.size() + " cells, the command prints " + columns);
            String l = label(row);
            if (noUring && l.contains(" uring")) continue;
            docLabels.add(l);
            SyscallComparison.WORKLOADS.stream().filter(w -> w.name().equals(c.get(0))).findFirst().ifPresent(w -> {
                if (c.size() > 2 && !c.get(2).equals(Long.toString(w.requests()))) {
                    problems.add(where + ": row \"" + l + "\" says " + c.get(2) + " requests, the command sends " + w.requests());
                }
            });
        }
        if (excerpt) {
            int at = 0;
            for (String l : docLabels) {
                int i = labels.subList(at, labels.size()).indexOf(l);
                if (i < 0) {
                    problems.add(where + ": row \"" + l + "\" is not a row the command prints, or not in its order " + labels);
                    return;
                }
                at += i + 1;
            }
            if (docLabels.isEmpty()) problems.add(where + ": an excerpt with no rows");
        } else if (!docLabels.equals(labels)) {
            problems.add(where + ": rows " + docLabels + ", the command prints " + labels + " (an excerpt says \"excerpt\" on its command line)");
        }
    }

    private static String label(String row) {
        List<String> c = cells(row);
        return c.size() >= 2 ? c.get(0) + " " + c.get(1) : row.strip();
    }

    private static List<String> cells(String line) {
        String s = line.strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }
}
