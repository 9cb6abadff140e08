using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Primitives.Locking;

public sealed partial class SixLock
{
    /// <summary>Internal index of <see cref="SixLockType.Read"/>.</summary>
    private const int ReadType = 0;

    /// <summary>Internal index of <see cref="SixLockType.Intent"/>.</summary>
    private const int IntentType = 1;

    /// <summary>Internal index of <see cref="SixLockType.Write"/>.</summary>
    private const int WriteType = 2;

    /// <summary>
    /// The 32-bit state word, as an immutable view of one value read from <see cref="_state"/>.
    /// Every transition of <see cref="_state"/> is an <see cref="Interlocked"/> operation on the
    /// whole word: those are full fences in .NET, which every ordering argument of this type
    /// relies on.
    /// </summary>
    [DebuggerDisplay("readers={Readers} intent={IsIntentHeld} write={IsWriteHeld} waiting={(Value >> WaitingShift) & 7} nospin={IsNoSpin}")]
    internal readonly struct State(uint value)
    {
        /// <summary>One read hold.</summary>
        public const uint ReaderIncrement = 1; // bits 0-25

        /// <summary>Read holds (unused in per-CPU reader mode).</summary>
        public const uint ReaderMask = (1u << 26) - 1; // bits 0-25

        /// <summary>Intent is held.</summary>
        public const uint IntentHeld = 1u << 26; // bit 26

        /// <summary>Write is held, or the intent holder is draining readers to take it (writer preference).</summary>
        public const uint WriteHeld = 1u << 27; // bit 27

        /// <summary>Position of the waiting bit of read; intent and write follow (<c>WaitingShift + type</c>).</summary>
        public const int WaitingShift = 28; // bits 28-30

        /// <summary>Read waiters are queued.</summary>
        public const uint WaitingRead = 1u << (WaitingShift + ReadType); // bit 28

        /// <summary>Intent waiters are queued.</summary>
        public const uint WaitingIntent = 1u << (WaitingShift + IntentType); // bit 29

        /// <summary>A write waiter (the intent holder) is queued.</summary>
        public const uint WaitingWrite = 1u << (WaitingShift + WriteType); // bit 30

        /// <summary>All waiting bits.</summary>
        public const uint WaitingMask = WaitingRead | WaitingIntent | WaitingWrite; // bits 28-30

        /// <summary>A spinning waiter timed out: others should not spin until the next intent or write unlock.</summary>
        public const uint NoSpin = 1u << 31; // bit 31

        /// <summary>The word a disposed lock keeps forever: every trylock fails on it.</summary>
        public const uint Disposed = IntentHeld | WriteHeld | NoSpin;

        public uint Value => value;

        public uint Readers => value & ReaderMask;

        public bool IsIntentHeld => (value & IntentHeld) != 0;

        public bool IsWriteHeld => (value & WriteHeld) != 0;

        public bool IsNoSpin => (value & NoSpin) != 0;

        public bool HasWaiters(int type) => (value & WaitingBit(type)) != 0;

        /// <summary>The waiting bit of <paramref name="type"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint WaitingBit(int type)
        {
            Debug.Assert((uint)type <= WriteType);
            return 1u << (WaitingShift + type);
        }

        /// <summary>The word after adding one read hold; asserts there is room.</summary>
        public State AddReader()
        {
            Debug.Assert(Readers < ReaderMask, "reader count overflow must be checked before");
            return new State(value + ReaderIncrement);
        }

        /// <summary>The word after removing one read hold; asserts there is one.</summary>
        public State RemoveReader()
        {
            Debug.Assert(Readers > 0, "read unlock must be validated before");
            return new State(value - ReaderIncrement);
        }

        /// <summary>The word with intent held; asserts it was free.</summary>
        public State SetIntent()
        {
            Debug.Assert(!IsIntentHeld);
            return new State(value | IntentHeld);
        }

        /// <summary>The word with write held; asserts it was free.</summary>
        public State SetWrite()
        {
            Debug.Assert(!IsWriteHeld);
            return new State(value | WriteHeld);
        }
    }

    /// <summary>
    /// The per-type table that drives trylock, unlock and wakeup, indexed by the internal type
    /// (<see cref="ReadType"/>, <see cref="IntentType"/>, <see cref="WriteType"/>).
    /// </summary>
    private static class TypeTable
    {
        /// <summary>Value added to the word to take the lock.</summary>
        public static ReadOnlySpan<uint> LockValue => [State.ReaderIncrement, State.IntentHeld, State.WriteHeld];

        /// <summary>Bits that make the trylock fail.</summary>
        public static ReadOnlySpan<uint> FailMask => [State.WriteHeld, State.IntentHeld, State.ReaderMask | State.WriteHeld];

        /// <summary>Bits that say the type is held.</summary>
        public static ReadOnlySpan<uint> HeldMask => [State.ReaderMask, State.IntentHeld, State.WriteHeld];

        /// <summary>
        /// Which waiters an unlock of the type may let in: read unlock lets the writer in (once readers
        /// reach zero), intent unlock the next intent waiter, write unlock all readers.
        /// </summary>
        public static ReadOnlySpan<int> UnlockWakeup => [WriteType, IntentType, ReadType];
    }
}
