package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that the path holds either its old content or the complete new one, never a part:
 * the bytes go to a temporary file in the same directory, are synced, then linked (no --force) or
 * renamed (--force) into place. Neither step follows a symbolic link at the path: with --force the
 * link itself is replaced.
 */
final class AtomicOutput {
    private AtomicOutput() {}

    static void write(Path target, ByteBuffer bytes, boolean force) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileSystemException(target.toString(), null, "is a directory");
        }
        if (!force && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists (use --force to replace it)");
        }
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            if (force) {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // link(2) fails if the name exists, so a file created meanwhile is never clobbered.
                Files.createLink(absolute, temporary);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
