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

    /**
     * Refuses, before any work is done, a target that {@link #write} would refuse: a directory, or an
     * existing file without --force (a long benchmark must not run only to be thrown away).
     */
    static void checkWritable(Path target, boolean force) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileSystemException(target.toString(), null, "is a directory");
        }
        if (!force && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists (use --force to replace it)");
        }
    }

    static void write(Path target, ByteBuffer bytes, boolean force) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        checkWritable(target, force);
        Path temporary = temporaryFile(directory, absolute.getFileName().toString());
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

    /**
     * A new file beside the target, created rw-rw-rw- less the process's umask, as any file a tool
     * writes (Files.createTempFile would make it 0600 whatever the umask); its name is unique to this
     * process and moment, and CREATE_NEW refuses anything already there.
     */
    private static Path temporaryFile(Path directory, String name) throws IOException {
        java.nio.file.attribute.FileAttribute<?> readWrite = java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        for (int attempt = 0; ; attempt++) {
            Path candidate = directory.resolve("." + name + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                    + ".tmp");
            try {
                return Files.createFile(candidate, readWrite);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
