/**
 * The graceful core: the {@link dev.graceful.spi.ShutdownParticipant} SPI and the
 * {@link dev.graceful.ShutdownCoordinator} that runs participants under one global deadline.
 * Depends on the JDK only.
 */
module dev.graceful.core {
    exports dev.graceful;
    exports dev.graceful.spi;

    uses dev.graceful.spi.ShutdownParticipant;
}
