using NomadAutoscaler.Core.HighAvailability;

namespace NomadAutoscaler.Core.Tests.HighAvailability;

public sealed class InlineAsyncLockTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_free_lock_is_entered_without_waiting()
    {
        var gate = new InlineAsyncLock();

        var entered = gate.EnterAsync(CancellationToken.None);

        Assert.True(entered.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_contended_waiter_goes_on_on_the_thread_that_exits()
    {
        var gate = new InlineAsyncLock();
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
        var gate = new InlineAsyncLock();
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
        var gate = new InlineAsyncLock();
        await gate.EnterAsync(CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync(new CancellationToken(canceled: true)));

        Assert.False(gate.EnterAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Holders_never_overlap_under_contention()
    {
        var gate = new InlineAsyncLock();
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
}
