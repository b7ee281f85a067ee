using NomadAutoscaler.Core.Threading;

namespace NomadAutoscaler.Core.Tests.Threading;

public sealed class InlineAsyncSemaphoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_free_lock_is_entered_without_waiting()
    {
        var gate = new InlineAsyncSemaphore(1);

        var entered = gate.EnterAsync(CancellationToken.None);

        Assert.True(entered.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_contended_waiter_goes_on_on_the_thread_that_exits()
    {
        var gate = new InlineAsyncSemaphore(1);
        await gate.EnterAsync(CancellationToken.None);
        var resumedOn = 0;
        var waiter = Task.Run(async () =>
        {
            await gate.EnterAsync(CancellationToken.None);
            resumedOn = Environment.CurrentManagedThreadId;
            gate.Exit();
        });
        Assert.True(SpinWait.SpinUntil(() => gate.WaiterCount == 1, Patience));

        var exitedOn = 0;
        var exiter = new Thread(() =>
        {
            exitedOn = Environment.CurrentManagedThreadId;
            gate.Exit();
        });
        exiter.Start();
        exiter.Join();
        await waiter.WaitAsync(Patience);

        Assert.Equal(exitedOn, resumedOn);
    }

    [Fact]
    public async Task A_cancelled_waiter_never_holds_the_lock_and_the_one_behind_it_does()
    {
        var gate = new InlineAsyncSemaphore(1);
        await gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cancel.Token);
        var behind = gate.EnterAsync(CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(behind.IsCompleted);

        gate.Exit();
        Assert.True(behind.IsCompletedSuccessfully);
        Assert.False(gate.EnterAsync(CancellationToken.None).IsCompleted);
        gate.Exit();
    }

    [Fact]
    public async Task An_already_cancelled_wait_on_a_held_lock_throws_and_leaves_it_held()
    {
        var gate = new InlineAsyncSemaphore(1);
        await gate.EnterAsync(CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync(new CancellationToken(canceled: true)));

        Assert.False(gate.EnterAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Holders_never_overlap_under_contention()
    {
        var gate = new InlineAsyncSemaphore(1);
        var inside = 0;
        var overlaps = 0;
        var total = 0;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await gate.EnterAsync(CancellationToken.None);
                try
                {
                    if (Interlocked.Increment(ref inside) != 1) Interlocked.Increment(ref overlaps);
                    await Task.Yield();
                    total++;
                    Interlocked.Decrement(ref inside);
                }
                finally
                {
                    gate.Exit();
                }
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, overlaps);
        Assert.Equal(8 * 200, total);
    }

    [Fact]
    public async Task Slots_admit_that_many_holders_and_an_exit_hands_its_slot_to_the_first_waiter()
    {
        var gate = new InlineAsyncSemaphore(2);
        await gate.EnterAsync(CancellationToken.None);
        await gate.EnterAsync(CancellationToken.None);
        Assert.Equal(0, gate.CurrentCount);
        var first = gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);

        // (xunit's synchronisation context makes a granted waiter resume through it, hence the waits.)
        gate.Exit();
        await first.WaitAsync(Patience);
        Assert.False(second.IsCompleted);
        gate.Exit();
        await second.WaitAsync(Patience);
        Assert.Equal(0, gate.CurrentCount);
        gate.Exit();
        gate.Exit();
        Assert.Equal(2, gate.CurrentCount);
    }

    [Fact]
    public async Task With_no_slot_every_wait_waits_for_an_exit()
    {
        var gate = new InlineAsyncSemaphore(0);
        var waiting = gate.EnterAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        gate.Exit();
        await waiting.WaitAsync(Patience);
        Assert.Equal(0, gate.CurrentCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InlineAsyncSemaphore(-1));
    }
}
