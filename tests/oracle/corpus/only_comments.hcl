# nothing here
// really
