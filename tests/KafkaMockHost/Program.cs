Console.WriteLine("KafkaMockHost: not implemented yet");
return 2;
