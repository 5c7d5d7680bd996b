import Dispatch
import Foundation
import Synchronization

/// Set once by SIGINT/SIGTERM; read by the trainer's progress callback between steps.
public final class CancellationFlag: Sendable {
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    /// The signal that asked to stop (SIGINT/SIGTERM), or nil.
    public var signal: Int32? {
        let value = signalNumber.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    public var isCancelled: Bool { signal != nil }

    public func cancel(signal: Int32) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
    }
}

/// Turns SIGINT and SIGTERM into a ``CancellationFlag`` so the current run finishes its transaction.
///
/// A second signal of the same kind restores the default action (so a double Ctrl-C still kills).
public final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    public let flag: CancellationFlag

    public init(flag: CancellationFlag, signals: [Int32] = [SIGINT, SIGTERM]) {
        self.flag = flag
        for sig in signals {
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [flag] in
                if flag.isCancelled {
                    Foundation.signal(sig, SIG_DFL)
                    kill(getpid(), sig)
                }
                flag.cancel(signal: sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
